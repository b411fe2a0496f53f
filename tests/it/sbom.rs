//! `sbom = true`: a CycloneDX SBOM per package and target, judged by the CycloneDX project's
//! own validator (cyclonedx-python-lib, strict 1.5 schema), listing only the crates compiled
//! for that target, in SHA256SUMS, reproducible, carried by `merge`. `auditable = true` (in
//! the same builds, to spare CI a second pair): the shipped binaries carry the same list in
//! `.dep-v0`, read back by cargo-auditable's `rust-audit-info`.

use std::path::Path;

use crate::cross::{cross_path, require_debian_aarch64, DEBIAN_RUSTC};
use crate::support::*;

const HOST: &str = "x86_64-unknown-linux-gnu";
const ARM: &str = "aarch64-unknown-linux-gnu";

fn config(arm: bool) -> String {
    let mut c =
        format!("[dist]\nsbom = true\nauditable = true\n\n[[target]]\ntriple = \"{HOST}\"\n");
    if arm {
        c.push_str(&format!(
            "\n[[target]]\ntriple = \"{ARM}\"\ncargo = \"/usr/bin/cargo\"\nrustc = \"{DEBIAN_RUSTC}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\", \"-E\", \"LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib\"]\n"
        ));
    }
    c
}

/// (name, scope, hash) of each component.
fn components(file: &Path) -> Vec<(String, String, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["scope"].as_str().unwrap().to_string(),
                c["hashes"][0]["content"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// (name, kind) of each package of the `.dep-v0` list in `binary`, as rust-audit-info reads it.
fn audit_list(binary: &Path) -> Vec<(String, String)> {
    let text = tool(
        Path::new("/"),
        "rust-audit-info",
        &[binary.to_str().unwrap()],
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let kind = p["kind"].as_str().unwrap_or("runtime");
            (p["name"].as_str().unwrap().to_string(), kind.to_string())
        })
        .collect()
}

fn dist(fx: &Fixture, args: &[&str]) {
    let mut all = vec!["dist"];
    all.extend_from_slice(args);
    fx.run_env(&all, &[("PATH", &cross_path())]).ok();
}

#[test]
fn sbom_and_audit_data_list_each_targets_crates_for_the_outside_tools_and_merge() {
    if !require(
        "cyclonedx-validate (.ci/run installs it)",
        have("cyclonedx-validate"),
    ) || !require(
        "rust-audit-info (.ci/run installs it)",
        have("rust-audit-info"),
    ) {
        return;
    }
    let arm = require_debian_aarch64();
    let fx = Fixture::new("sbom");
    fx.write("targets.toml", &config(arm));

    // A Windows-only dependency is in the Windows SBOM only: the plan (cargo metadata
    // --filter-platform) says so before anything builds.
    let windows = format!(
        "{}\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n",
        config(arm)
    );
    // `auditable` is for ELF targets: a PE one is refused before anything runs, naming the fix.
    fx.write("targets.toml", &windows);
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml",
        "x86_64-pc-windows-gnu",
        "not ELF",
        "auditable = false",
        "cargo auditable build",
    ]);
    fx.write("targets.toml", &format!("{windows}auditable = false\n"));
    let dry = fx
        .run(&[
            "dist",
            "--dry-run",
            "--json",
            "--target",
            "x86_64-pc-windows-gnu",
        ])
        .ok();
    let plan: serde_json::Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(
        plan["sboms"][0]["crates"],
        serde_json::json!([
            "sbomapp 0.4.0",
            "buildhelp 0.1.0 (host)",
            "cfg-if 1.0.5",
            "hello-macro 0.2.0 (host)",
            "winonly 0.1.0"
        ]),
        "{}",
        dry.stdout
    );
    // A target whose graph cargo cannot resolve is a problem of that target (so a run of
    // the matrix skips it like any target that cannot build here), naming the command and fix.
    fx.write(
        "targets.toml",
        &format!(
            "{}\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\ncargo = \"/bin/false\"\n",
            config(arm)
        ),
    );
    let broken = fx.run(&["dist", "--dry-run"]);
    assert_ne!(broken.code, 0, "a dry run with problems fails");
    assert!(
        broken.stdout.contains("x86_64-unknown-linux-musl: `/bin/false metadata --format-version 1 --filter-platform x86_64-unknown-linux-musl")
            && broken.stdout.contains("set sbom = false and auditable = false for this target in targets.toml"),
        "{}",
        broken.stdout
    );
    fx.write("targets.toml", &config(arm));
    let human = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        human.stdout.contains(&format!(
            "sbomapp-0.4.0-{HOST}.cdx.json  (CycloneDX SBOM: 2 crates in the binary, 2 compiled for the host)"
        )),
        "{}",
        human.stdout
    );

    assert!(
        human
            .stdout
            .contains("audit:   dependency list in section .dep-v0"),
        "{}",
        human.stdout
    );

    let first = fx.run_env(&["dist", "-v"], &[("PATH", &cross_path())]).ok();
    for asked in [
        "metadata --format-version 1 --filter-platform",
        "--add-section .dep-v0=",
    ] {
        assert!(first.stderr.contains(asked), "{asked}:\n{}", first.stderr);
    }
    // A no-op run asks cargo for no graph (kept under the stamps of what it read) and adds
    // no section again (the copy's memo). The first run had no target dir to keep the
    // answers in (crossdock creates none), so the second keeps them.
    fx.run_env(&["dist"], &[("PATH", &cross_path())]).ok();
    let noop = fx.run_env(&["dist", "-v"], &[("PATH", &cross_path())]).ok();
    for asked in ["--filter-platform", "--add-section"] {
        assert!(!noop.stderr.contains(asked), "{asked}:\n{}", noop.stderr);
    }
    let out = fx.dist_dir();
    let host_sbom = out.join(format!("sbomapp-0.4.0-{HOST}.cdx.json"));
    let arm_sbom = out.join(format!("sbomapp-0.4.0-{ARM}.cdx.json"));
    let mut files = vec![host_sbom.to_str().unwrap()];
    if arm {
        files.push(arm_sbom.to_str().unwrap());
    }
    let said = tool(&out, "cyclonedx-validate", &files);
    assert_eq!(
        said.matches("valid CycloneDX 1.5").count(),
        files.len(),
        "{said}"
    );

    let cfg_if_sum = "4e7648175b45a9a48536d676f68d918270699102aa8dab5496df06904c914600";
    let host = |n: &str| (n.to_string(), "excluded".to_string(), None);
    let expected = |arm_only: bool| {
        let mut v = vec![
            host("buildhelp"),
            (
                "cfg-if".into(),
                "required".into(),
                Some(cfg_if_sum.to_string()),
            ),
            host("hello-macro"),
        ];
        if arm_only {
            v.insert(0, ("armonly".into(), "required".into(), None));
        }
        v
    };
    assert_eq!(components(&host_sbom), expected(false));
    if arm {
        assert_eq!(components(&arm_sbom), expected(true));
    }

    // The shipped binaries carry the list (the package first, as root), cargo's own file
    // is left as cargo made it; the dist above smoke-ran both (aarch64 under qemu).
    let targets: &[&str] = if arm { &[HOST, ARM] } else { &[HOST] };
    for t in targets {
        let x = tempfile::tempdir().unwrap();
        extract(&out.join(format!("sbomapp-0.4.0-{t}.tar.gz")), x.path());
        let bin = x.path().join(format!("sbomapp-0.4.0-{t}/sbomapp"));
        let mut want = vec![
            ("sbomapp", "runtime"),
            ("buildhelp", "build"),
            ("cfg-if", "runtime"),
            ("hello-macro", "build"),
        ];
        if *t == ARM {
            want.insert(1, ("armonly", "runtime"));
        }
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(n, k)| (n.to_string(), k.to_string()))
            .collect();
        assert_eq!(audit_list(&bin), want, "{t}");
        let cargos = fx.path().join(format!("target/{t}/dist/sbomapp"));
        let sections = tool(
            Path::new("/"),
            "readelf",
            &["-S", "-W", cargos.to_str().unwrap()],
        );
        assert!(
            !sections.contains(".dep-v0"),
            "cargo's file is untouched:\n{sections}"
        );
    }

    // In SHA256SUMS (which checks) and the manifest.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert!(
        sums.contains(&format!("sbomapp-0.4.0-{HOST}.cdx.json")),
        "{sums}"
    );
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    let m = read_manifest(&out);
    let entry = m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "sbom" && a["target"] == HOST)
        .expect("the manifest lists the SBOM");
    assert_eq!(entry["package"], "sbomapp");

    // One run per target (the release workflow's build jobs), then merge: the release of
    // one run, byte for byte (the SBOMs written again are the same: reproducible).
    // The archives too: the section is added again in each run, to the same bytes.
    let parts = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for t in targets {
        let dir = parts.path().join(t);
        dist(&fx, &["--target", t, "--out-dir", dir.to_str().unwrap()]);
        inputs.push(dir);
    }
    let merged = parts.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(inputs.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out-dir", merged.to_str().unwrap()]);
    fx.run(&args).ok();
    for f in &files {
        let name = Path::new(f).file_name().unwrap();
        assert_eq!(
            std::fs::read(merged.join(name)).unwrap(),
            std::fs::read(f).unwrap()
        );
    }
    assert_eq!(
        std::fs::read_to_string(merged.join("SHA256SUMS")).unwrap(),
        sums
    );

    // merge refuses an SBOM whose manifest entry is not one dist writes.
    let first = &inputs[0];
    let mpath = first.join("dist-manifest.json");
    let text = std::fs::read_to_string(&mpath).unwrap();
    std::fs::write(
        &mpath,
        text.replace(
            &format!("\"sbomapp-0.4.0-{HOST}.cdx.json\""),
            "\"../sbomapp.cdx.json\"",
        ),
    )
    .unwrap();
    let again = parts.path().join("again");
    fx.run(&[
        "merge",
        first.to_str().unwrap(),
        "--out-dir",
        again.to_str().unwrap(),
    ])
    .fails_with(&["dist-manifest.json", "refusing to merge it"]);
}
