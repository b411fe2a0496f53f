//! `lipo create` / `lipo info`: the built-in fat Mach-O writer from the command line.

use std::path::Path;

use crate::support::*;

fn macho(name: &str) -> String {
    fixture_src("macho")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn lipo_create_matches_llvm_lipo_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fat");
    let o = out.to_str().unwrap();
    // Either input order gives llvm-lipo's bytes (checked in from llvm-lipo-14 -create).
    for inputs in [
        ["hello-x86_64", "hello-arm64"],
        ["hello-arm64", "hello-x86_64"],
    ] {
        run_in(
            dir.path(),
            &[
                "lipo",
                "create",
                &macho(inputs[0]),
                &macho(inputs[1]),
                "-o",
                o,
            ],
            &[],
        )
        .ok();
        assert!(
            std::fs::read(&out).unwrap()
                == std::fs::read(macho("hello-universal.llvm-lipo")).unwrap(),
            "{inputs:?}"
        );
    }
    let info = run_in(dir.path(), &["lipo", "info", o], &[]).ok();
    assert!(info.stdout.contains("are: x86_64 arm64"), "{}", info.stdout);
    if have("llvm-lipo-14") {
        tool(
            Path::new("/"),
            "llvm-lipo-14",
            &[o, "-verify_arch", "x86_64", "arm64"],
        );
    }
    std::fs::remove_file(&out).unwrap();

    // Bad inputs: a clear error naming the file, and no output left behind.
    let truncated = dir.path().join("truncated");
    std::fs::write(
        &truncated,
        &std::fs::read(macho("hello-arm64")).unwrap()[..100],
    )
    .unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["/bin/true".into(), macho("hello-arm64")], "/bin/true"),
        (
            vec![macho("hello-universal.llvm-lipo"), macho("hello-arm64")],
            "hello-universal.llvm-lipo",
        ),
        (
            vec![macho("hello-x86_64"), macho("hello-x86_64")],
            "hello-x86_64",
        ),
        (
            vec![
                truncated.to_string_lossy().into_owned(),
                macho("hello-x86_64"),
            ],
            "truncated",
        ),
    ];
    for (inputs, needle) in cases {
        let mut args = vec!["lipo", "create"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend(["-o", o]);
        let r = run_in(dir.path(), &args, &[]).fails_with(&[needle]);
        assert!(!out.exists(), "{:?} left an output: {}", inputs, r.stderr);
        let leftovers: Vec<String> = list_files(dir.path())
            .into_iter()
            .filter(|f| f != "truncated")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
