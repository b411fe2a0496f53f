//! merge on fabricated inputs (issue 12, item 8): out dirs with a manifest and small
//! archives holding real Mach-O slices from tests/fixtures/macho, no Apple build needed.

use super::*;
use crate::package::manifest::BinaryEntry;

const X86: &str = "x86_64-apple-darwin";
const ARM: &str = "aarch64-apple-darwin";
const MACHO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/macho/");

fn rules() -> Rules {
    Rules {
        groups: vec![Group {
            name: "universal-apple-darwin".into(),
            members: vec![X86.into(), ARM.into()],
            keep_thin: true,
            tool: LipoTool::Builtin,
            lipo: Lipo::Builtin,
            formats: vec![ArchiveFormat::TarGz],
        }],
        naming: Naming::default(),
        ..Rules::default()
    }
}

/// An input out dir holding, for each (triple, format, binaries), a `tiny` 0.2.0 archive of
/// the given binaries (name → fixture file), and the manifest `dist` would write for them.
/// (triple, format, binaries as (name in the archive, fixture file)).
type ThinArchive<'a> = (&'a str, ArchiveFormat, &'a [(&'a str, &'a str)]);

fn input(dir: &Path, archives: &[ThinArchive]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut artifacts = Vec::new();
    for (triple, format, bins) in archives {
        let top = format!("tiny-0.2.0-{triple}");
        let name = format!("{top}.{}", format.extension());
        let entries = bins
            .iter()
            .map(|(bin, fixture)| Entry {
                name: bin.to_string(),
                source: Source::File(PathBuf::from(MACHO).join(fixture)),
                mode: archive::MODE_EXECUTABLE,
            })
            .collect();
        let w = archive::write(&dir.join(&name), *format, &top, entries, 1_700_000_000).unwrap();
        let binaries: Vec<BinaryEntry> = bins
            .iter()
            .map(|(bin, fixture)| {
                let path = PathBuf::from(MACHO).join(fixture);
                let (size, sha256) = archive::hash_file(&path).unwrap();
                BinaryEntry {
                    name: bin.to_string(),
                    kind: Default::default(),
                    path: format!("{top}/{bin}"),
                    size,
                    unstripped_size: None,
                    sha256,
                    format: "mach-o".into(),
                    glibc: None,
                }
            })
            .collect();
        artifacts.push(serde_json::json!({
            "name": name, "kind": "archive", "package": "tiny", "version": "0.2.0",
            "target": triple, "size": w.size, "sha256": w.sha256, "binaries": binaries,
        }));
    }
    let manifest = serde_json::json!({
        "schema_version": 1, "crossdock_version": "0", "commit": null,
        "source_date_epoch": 1_700_000_000u64,
        "packages": [{"name": "tiny", "version": "0.2.0"}],
        "artifacts": artifacts, "files": [],
    });
    std::fs::write(
        dir.join(crate::package::manifest::FILE_NAME),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

fn names(m: &Manifest) -> Vec<&str> {
    m.artifacts.iter().map(|a| a.name.as_str()).collect()
}

#[test]
fn two_archives_of_one_apple_member_and_the_other_missing_is_no_panic() {
    use ArchiveFormat::*;
    let d = tempfile::tempdir().unwrap();
    let (a, b, out) = (d.path().join("a"), d.path().join("b"), d.path().join("out"));
    // The same member in two formats, the other member absent: the thin archives merge,
    // the universal is left out (with a warning), nothing panics.
    input(
        &a,
        &[
            (ARM, TarGz, &[("tiny", "hello-arm64")]),
            (ARM, TarXz, &[("tiny", "hello-arm64")]),
        ],
    );
    let m = merge(std::slice::from_ref(&a), &out, &rules()).unwrap();
    assert!(
        !names(&m).iter().any(|n| n.contains("universal")),
        "{:?}",
        names(&m)
    );
    // The same archive name from two inputs with different bytes: a clear error.
    input(&b, &[(ARM, TarGz, &[("tiny", "hello-x86_64")])]);
    let e = format!(
        "{:#}",
        merge(&[a, b], &d.path().join("out2"), &rules()).unwrap_err()
    );
    assert!(
        e.contains("tiny-0.2.0-aarch64-apple-darwin.tar.gz is in")
            && e.contains("different contents"),
        "{e}"
    );
}

#[test]
fn members_with_different_binaries_are_refused_not_fused_thin() {
    use ArchiveFormat::*;
    let d = tempfile::tempdir().unwrap();
    let (x, a) = (d.path().join("x"), d.path().join("a"));
    // Both members present and right: a universal archive is written.
    input(&x, &[(X86, TarGz, &[("tiny", "hello-x86_64")])]);
    input(
        &a,
        &[(
            ARM,
            TarGz,
            &[("tiny", "hello-arm64"), ("extra", "hello-arm64")],
        )],
    );
    let e = format!(
        "{:#}",
        merge(&[x.clone(), a.clone()], &d.path().join("o1"), &rules()).unwrap_err()
    );
    assert!(
        e.contains("binary `extra`")
            && e.contains(X86)
            && e.contains("build every member from the same commit"),
        "{e}"
    );
    input(&a, &[(ARM, TarGz, &[("tiny", "hello-arm64")])]);
    let m = merge(&[x, a], &d.path().join("o2"), &rules()).unwrap();
    assert!(
        names(&m).contains(&"tiny-0.2.0-universal-apple-darwin.tar.gz"),
        "{:?}",
        names(&m)
    );
}

/// Issue 10 §5: members archived as zip (a target with `archive = "zip"`) are fused like tar
/// members: the universal archive is byte-identical to the one made from tar.gz members.
#[test]
fn zip_members_make_the_same_universal_archive_as_tar_members() {
    use ArchiveFormat::*;
    let d = tempfile::tempdir().unwrap();
    let universal = |format: ArchiveFormat, tag: &str| {
        let (x, a, out) = (
            d.path().join(format!("{tag}-x")),
            d.path().join(format!("{tag}-a")),
            d.path().join(format!("{tag}-out")),
        );
        input(&x, &[(X86, format, &[("tiny", "hello-x86_64")])]);
        input(&a, &[(ARM, format, &[("tiny", "hello-arm64")])]);
        merge(&[x, a], &out, &rules()).unwrap();
        std::fs::read(out.join("tiny-0.2.0-universal-apple-darwin.tar.gz")).unwrap()
    };
    assert_eq!(universal(Zip, "zip"), universal(TarGz, "tgz"));
}

/// Per-target runs (as CI runners make them) merged give the bytes of one run of the whole
/// matrix — every archive, universal archive, checksum and the manifest — here with the
/// fake executor's builds, so no cargo and no Mac is needed.
#[test]
fn merge_of_per_target_fake_runs_equals_one_run_of_the_matrix() {
    // As configured by default; and with split debug info plus unversioned copies, where
    // merge once gave each debuginfo archive an unversioned copy under the name of the
    // binary archive's (SHA256SUMS then listed that name twice, with the wrong hash).
    for keys in ["", "debuginfo = \"separate\"\nunversioned-copy = true\n"] {
        merge_equals_one_run(keys);
    }
}

fn merge_equals_one_run(dist_keys: &str) {
    use crate::exec::dist::execute_with;
    use crate::exec::fake::{apple_config_with, fake, two_target_plan_with, ARM, X86};
    use crate::plan::Options;
    use crate::sys::shell::{Shell, Verbosity};

    let tmp = tempfile::tempdir().unwrap();
    let quiet = Shell::capturing(Verbosity::Quiet);
    let _in = quiet.enter();
    let whole = two_target_plan_with(&tmp.path().join("whole"), &Options::default(), dist_keys);
    execute_with(&whole, &fake()).unwrap();
    let mut inputs = Vec::new();
    for t in [X86, ARM] {
        let opts = Options {
            targets: vec![t.into()],
            ..Options::default()
        };
        let p = two_target_plan_with(&tmp.path().join(t), &opts, dist_keys);
        assert_eq!(p.builds.len(), 1);
        assert!(p.universals.is_empty());
        execute_with(&p, &fake()).unwrap();
        inputs.push(p.out_dir.clone());
    }
    let out = tmp.path().join("merged");
    let mut rules = Rules::new(&apple_config_with(dist_keys), &Default::default()).unwrap();
    rules.shell = quiet.clone();
    merge(&inputs, &out, &rules).unwrap();

    let files = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let (merged, single) = (files(&out), files(&whole.out_dir));
    assert_eq!(
        merged.keys().collect::<Vec<_>>(),
        single.keys().collect::<Vec<_>>(),
        "{dist_keys}"
    );
    assert!(merged.contains_key("alpha-0.3.1-universal-apple-darwin.tar.gz"));
    if !dist_keys.is_empty() {
        assert!(merged.contains_key("alpha-0.3.1-x86_64-apple-darwin-debuginfo.tar.gz"));
        assert!(merged.contains_key("alpha-x86_64-apple-darwin.tar.gz"));
    }
    for (name, bytes) in &single {
        assert!(merged[name] == *bytes, "{name} differs ({dist_keys})");
    }
    assert_eq!(quiet.captured(), "");
}

/// Issue 22 §2: the npm packages of per-runner out dirs (each a platform package, no root)
/// merged with the universal group configured give the bytes one `dist` of the matrix
/// writes — the platform packages, `darwin-universal` fused by the same writer, the root
/// naming all three, SHA256SUMS and the manifest — the single run's npm step made here as
/// `exec::dist` makes it.
#[test]
fn merge_of_per_target_npm_packages_equals_one_run_with_the_universal_module() {
    use crate::exec::pack::{ModuleSource, Npm, NpmModule, Out};
    use crate::model::node::NodePlatform;
    const EPOCH: u64 = 1_700_000_000;

    let tmp = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/node-ws/hello-node");
    let napi = crate::read::napi::read(&fixture).unwrap().unwrap();
    // Mach-O dylibs exporting the napi entry, one per CPU.
    let x86 = PathBuf::from(MACHO).join("napi-x86_64.node");
    let arm = PathBuf::from(MACHO).join("napi-arm64.node");
    let thin = |t: &str, file: &PathBuf| NpmModule {
        target: t.to_string(),
        platform: NodePlatform::of(&Triple::new(t)).unwrap(),
        source: ModuleSource::File(file.clone()),
    };
    let step = |modules: Vec<NpmModule>, root: bool| {
        PackStep::Npm(Npm::of_modules("hello-node", &napi, modules, root))
    };
    let write = |dir: &Path, step: PackStep| {
        pack::prepare_out_dir(dir).unwrap();
        let out = Out {
            dir,
            epoch: EPOCH,
            previous: None,
            record: Record::load(None, dir),
            jobs: 1,
            scratch_in: tmp.path(),
            signer: None,
        };
        pack::run(&[step], &out, Manifest::new(None, EPOCH)).unwrap();
    };
    let whole = tmp.path().join("whole");
    let universal = NpmModule {
        target: "universal-apple-darwin".into(),
        platform: NodePlatform::darwin_universal(),
        source: ModuleSource::Fat {
            lipo: Lipo::Builtin,
            slices: vec![x86.clone(), arm.clone()],
        },
    };
    write(
        &whole,
        step(vec![thin(X86, &x86), thin(ARM, &arm), universal], true),
    );
    let mut inputs = Vec::new();
    for (t, file) in [(ARM, &arm), (X86, &x86)] {
        let dir = tmp.path().join(t);
        write(&dir, step(vec![thin(t, file)], false));
        assert!(
            !dir.join("hello-node-1.4.2.tgz").exists(),
            "no root in a partial run"
        );
        inputs.push(dir);
    }
    let out = tmp.path().join("merged");
    let mut r = Rules {
        targets: vec![X86.into(), ARM.into()],
        ..rules()
    };
    // Without the package.json, merge leaves the npm packages out, saying so.
    let m = merge(&inputs, &tmp.path().join("no-napi"), &r).unwrap();
    assert!(
        !names(&m).iter().any(|n| n.ends_with(".tgz")),
        "{:?}",
        names(&m)
    );
    r.napi.insert("hello-node".into(), napi.clone());
    merge(&inputs, &out, &r).unwrap();

    let files = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    };
    let (merged, single) = (files(&out), files(&whole));
    assert_eq!(
        merged.keys().collect::<Vec<_>>(),
        single.keys().collect::<Vec<_>>()
    );
    for name in [
        "hello-node-1.4.2.tgz",
        "hello-node-darwin-universal-1.4.2.tgz",
        "hello-node-darwin-x64-1.4.2.tgz",
        "hello-node-darwin-arm64-1.4.2.tgz",
        "SHA256SUMS",
    ] {
        assert!(merged.contains_key(name), "{name}: {:?}", merged.keys());
    }
    for (name, bytes) in &single {
        assert!(merged[name] == *bytes, "{name} differs from one run's");
    }
    // A package.json of another version than the inputs were built from is refused.
    let mut other = napi.clone();
    other.version = "1.4.3".into();
    r.napi.insert("hello-node".into(), other);
    let e = format!(
        "{:#}",
        merge(&inputs, &tmp.path().join("o3"), &r).unwrap_err()
    );
    assert!(
        e.contains("should be hello-node-darwin-arm64-1.4.3.tgz") && e.contains("package.json"),
        "{e}"
    );
    // Another description: merged, with a warning naming the runner's out dir.
    let mut other = napi.clone();
    other.json.set(
        "description",
        crate::model::json::Json::str("another description"),
    );
    r.napi.insert("hello-node".into(), other);
    let captured = crate::sys::shell::Shell::capturing(crate::sys::shell::Verbosity::Normal);
    r.shell = captured.clone();
    merge(&inputs, &tmp.path().join("o4"), &r).unwrap();
    let said = captured.captured();
    assert!(
        said.contains("hello-node-darwin-x64-1.4.2.tgz differs from the one in")
            && said.contains("package.json"),
        "{said}"
    );
}
