//! The check of a Node module before it is packed: beside the shared-library check every
//! cdylib gets (format, CPU, kind), Node must be able to load it. It exports
//! `napi_register_module_v1`, the entry Node looks up (ELF dynamic symbols, the Mach-O
//! export trie, the PE export table: `object` reads all three), and it links against no
//! Node binary: napi functions are resolved from the process that loads the module
//! (`-undefined dynamic_lookup` on macOS, napi-rs's dynamic symbols on Windows MSVC), so a
//! module that names `node`, `node.exe` or `libnode.so.*` loads only beside that one
//! binary. The one exception is napi-rs's own: a windows-gnu module may import from
//! `libnode.dll`, the mingw-built Node's library, which napi-build links it against. Pure over bytes; a universal file is checked slice by slice.

use anyhow::{bail, Context, Result};
use object::read::macho::{FatArch, MachOFatFile32};
use object::{Object, ObjectSymbol};

/// The symbol Node looks up in every N-API module.
pub const REGISTER: &str = "napi_register_module_v1";

/// Checks a module file's bytes; `shown` names it in errors.
pub fn check(shown: &str, data: &[u8]) -> Result<()> {
    if let Ok(fat) = MachOFatFile32::parse(data) {
        for arch in fat.arches() {
            let slice = arch
                .data(data)
                .with_context(|| format!("{shown}: a broken universal slice"))?;
            check_one(shown, slice)?;
        }
        return Ok(());
    }
    check_one(shown, data)
}

fn check_one(shown: &str, data: &[u8]) -> Result<()> {
    let file = object::File::parse(data)
        .with_context(|| format!("{shown}: not an ELF, Mach-O or PE file"))?;
    // napi-build links a windows-gnu module against `libnode.dll` (`setup_gnu`; the
    // mingw-built Node is that DLL plus a small node.exe), so an import from it is napi-rs's
    // own way there (napi 3 with its dyn-symbols leaves none: measured). Every other Node
    // binary is refused.
    let pe = matches!(file, object::File::Pe64(_) | object::File::Pe32(_));
    if let Some(lib) = linked_libraries(&file, data)?
        .into_iter()
        .find(|l| is_node_binary(l) && !(pe && l.eq_ignore_ascii_case("libnode.dll")))
    {
        bail!(
            "{shown} links against `{lib}`, a Node binary, so it loads only beside that one file; build it as napi-rs does (napi-build's `setup()` in build.rs, napi's default `dyn-symbols` feature on Windows)"
        );
    }
    if !exports_register(&file)? {
        bail!(
            "{shown} does not export `{REGISTER}`, so Node cannot load it: is the crate built with napi-rs (`#[napi]` items, napi-build in build.rs) and `crate-type = [\"cdylib\"]`?"
        );
    }
    Ok(())
}

fn exports_register(file: &object::File<'_>) -> Result<bool> {
    let exports = file.exports().context("cannot read the export table")?;
    Ok(exports.iter().any(|e| {
        let name = e.name();
        name == REGISTER.as_bytes() || name.strip_prefix(b"_") == Some(REGISTER.as_bytes())
    }) || file.dynamic_symbols().any(|s| {
        // ELF: object lists the defined global dynamic symbols as exports; this also
        // covers a file whose export list object cannot read.
        s.is_definition() && s.is_global() && s.name() == Ok(REGISTER)
    }))
}

/// The libraries the file names for the loader: ELF `DT_NEEDED`, Mach-O `LC_LOAD_DYLIB`
/// and friends, PE import descriptors.
fn linked_libraries(file: &object::File<'_>, data: &[u8]) -> Result<Vec<String>> {
    let mut out: Vec<String> = match file {
        object::File::Elf64(_) | object::File::Elf32(_) => {
            crate::package::native::depends::elf_needs(data)?
                .map(|n| n.libraries)
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for import in file.imports().context("cannot read the import table")? {
        let lib = String::from_utf8_lossy(import.library()).into_owned();
        if !lib.is_empty() && !out.contains(&lib) {
            out.push(lib);
        }
    }
    if let object::File::MachO64(m) = file {
        let endian = m.endian();
        let mut cmds = m.macho_load_commands()?;
        while let Ok(Some(cmd)) = cmds.next() {
            if let Ok(Some(dylib)) = cmd.dylib() {
                if let Ok(name) = cmd.string(endian, dylib.dylib.name) {
                    out.push(String::from_utf8_lossy(name).into_owned());
                }
            }
        }
    }
    Ok(out)
}

/// `node`, `node.exe`, `libnode.so.115`, `libnode.115.dylib`, `/usr/local/bin/node`.
fn is_node_binary(lib: &str) -> bool {
    let base = lib
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(lib)
        .to_ascii_lowercase();
    base == "node" || base == "node.exe" || base == "node.dll" || base.starts_with("libnode.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::write;

    /// A shared object that defines `export` (and, ELF, needs `needed`).
    fn object_with(
        format: object::BinaryFormat,
        arch: object::Architecture,
        export: &str,
    ) -> Vec<u8> {
        let mut obj = write::Object::new(format, arch, object::Endianness::Little);
        let text = obj.section_id(write::StandardSection::Text);
        obj.append_section_data(text, &[0xc3; 16], 16);
        obj.add_symbol(write::Symbol {
            name: export.as_bytes().to_vec(),
            value: 0,
            size: 1,
            kind: object::SymbolKind::Text,
            scope: object::SymbolScope::Dynamic,
            weak: false,
            section: write::SymbolSection::Section(text),
            flags: object::SymbolFlags::None,
        });
        obj.write().unwrap()
    }

    #[test]
    fn names_of_node_binaries() {
        for n in [
            "node",
            "node.exe",
            "NODE.EXE",
            "libnode.so.115",
            "libnode.115.dylib",
            "/usr/bin/node",
        ] {
            assert!(is_node_binary(n), "{n}");
        }
        for n in [
            "libc.so.6",
            "KERNEL32.dll",
            "libnodejs-helper.so",
            "nodes.dll",
        ] {
            assert!(!is_node_binary(n), "{n}");
        }
    }

    #[test]
    fn a_program_is_no_node_module() {
        // The real modules (napi-rs, built by cargo) pass in the e2e tests (tests/it/node.rs).
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let err = check("crossdock-test", &me).unwrap_err().to_string();
        assert!(
            err.contains("does not export `napi_register_module_v1`"),
            "{err}"
        );
    }

    #[test]
    fn an_object_without_the_export_is_refused_naming_it() {
        let data = object_with(
            object::BinaryFormat::Elf,
            object::Architecture::X86_64,
            "other",
        );
        let err = check("m.node", &data).unwrap_err().to_string();
        assert!(err.starts_with("m.node does not export"), "{err}");
    }

    #[test]
    fn an_elf_needing_libnode_is_refused() {
        let data = crate::package::native::depends::tests::elf_needing(
            &["libnode.so.115", "libc.so.6"],
            &[],
        );
        let err = check("m.node", &data).unwrap_err().to_string();
        assert!(
            err.starts_with("m.node links against `libnode.so.115`, a Node binary"),
            "{err}"
        );
        let fine = crate::package::native::depends::tests::elf_needing(&["libc.so.6"], &[]);
        let err = check("m.node", &fine).unwrap_err().to_string();
        assert!(err.contains("does not export"), "{err}");
    }
}
