use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::package::archive_diff::{Difference, MemberDifference};

const LINUX: &str = "x86_64-unknown-linux-gnu";
const ARM: &str = "aarch64-unknown-linux-gnu";
const SHA: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn build(rustc: &str) -> serde_json::Value {
    json!({"rustc": rustc, "builder": "cargo", "profile": "dist"})
}

fn manifest(commit: Option<&str>, dirty: bool) -> Manifest {
    serde_json::from_value(json!({
        "schema_version": 1,
        "crossdock_version": "0.1.0",
        "commit": commit,
        "dirty": dirty,
        "source_date_epoch": 1700000000u64,
        "packages": [],
        "artifacts": [
            {"name": "app-1-x86_64-unknown-linux-gnu.tar.gz", "kind": "archive", "target": LINUX,
             "size": 1, "sha256": SHA, "build": build("rustc 1.89.0 (a 2025-08-04)")},
            {"name": "app_1_amd64.deb", "kind": "deb", "target": LINUX, "size": 1, "sha256": SHA},
            {"name": "app-1-aarch64-unknown-linux-gnu.tar.gz", "kind": "archive", "target": ARM,
             "size": 1, "sha256": SHA},
            {"name": "SHA256SUMS", "kind": "checksums", "size": 1, "sha256": SHA},
            {"name": "app-1-universal-apple-darwin.tar.gz", "kind": "universal",
             "target": "universal-apple-darwin", "size": 1, "sha256": SHA},
        ],
        "files": [],
    }))
    .unwrap()
}

fn release(m: Manifest) -> Release {
    let names = [
        "app-1-x86_64-unknown-linux-gnu.tar.gz",
        "app_1_amd64.deb",
        "app-1-aarch64-unknown-linux-gnu.tar.gz",
    ];
    let sums: BTreeMap<String, String> = names
        .iter()
        .map(|n| (n.to_string(), SHA.to_string()))
        .collect();
    let mut present = sums.clone();
    // The .deb in the folder is not the one SHA256SUMS names; the arm archive is missing.
    present.insert("app_1_amd64.deb".into(), "2".repeat(64));
    present.remove("app-1-aarch64-unknown-linux-gnu.tar.gz");
    Release {
        manifest: m,
        sums,
        present,
    }
}

const KNOWN: Here = Here { commit_known: true };

#[test]
fn a_release_that_cannot_be_rebuilt_is_refused_with_the_reason() {
    let no_commit = plan(&release(manifest(None, false)), &KNOWN, &[]);
    assert_eq!(no_commit.unwrap_err(), Refusal::NoCommit);
    let dirty = plan(&release(manifest(Some("abc"), true)), &KNOWN, &[]).unwrap_err();
    assert_eq!(
        dirty,
        Refusal::Dirty {
            commit: "abc".into()
        }
    );
    assert!(dirty.to_string().contains("uncommitted changes"), "{dirty}");
    let unknown = plan(
        &release(manifest(Some("abc"), false)),
        &Here {
            commit_known: false,
        },
        &[],
    )
    .unwrap_err();
    assert!(
        unknown.to_string().contains("git fetch origin abc"),
        "{unknown}"
    );
    let t = plan(
        &release(manifest(Some("abc"), false)),
        &KNOWN,
        &["x86_64-apple-darwin".into()],
    )
    .unwrap_err();
    assert!(
        t.to_string().contains(&format!("it has: {LINUX}, {ARM}")),
        "{t}"
    );
}

#[test]
fn every_file_made_from_a_target_build_is_checked_and_target_limits_it() {
    let r = release(manifest(Some("abc"), false));
    let all = plan(&r, &KNOWN, &[]).unwrap();
    assert_eq!(all.targets, [LINUX, ARM]);
    let names: Vec<&str> = all.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "app-1-x86_64-unknown-linux-gnu.tar.gz",
            "app_1_amd64.deb",
            "app-1-aarch64-unknown-linux-gnu.tar.gz"
        ]
    );
    // The .deb's record is its archive's; it does not match SHA256SUMS; the arm one is missing.
    assert_eq!(all.files[1].recorded, all.files[0].recorded);
    assert!(all.files[0].matches_sums && !all.files[1].matches_sums);
    assert!(!all.files[2].present);
    let one = plan(&r, &KNOWN, &[LINUX.into()]).unwrap();
    assert_eq!(one.targets, [LINUX]);
    assert_eq!(one.files.len(), 2);
}

#[test]
fn the_report_says_each_files_status_and_the_inputs_that_differ() {
    let r = release(manifest(Some("abc"), false));
    let p = plan(&r, &KNOWN, &[]).unwrap();
    let mut rebuilt = manifest(Some("abc"), false);
    rebuilt.artifacts[0].build = Some(BuildRecord {
        rustc: "rustc 1.90.0 (b 2025-09-14)".into(),
        builder: "cargo".into(),
        profile: "dist".into(),
    });
    let diff = Difference {
        file_offset: 40,
        member: Some(MemberDifference {
            name: "app-1/app".into(),
            what: "content".into(),
            offset: Some(1234),
        }),
    };
    let outcomes = BTreeMap::from([
        (
            "app-1-x86_64-unknown-linux-gnu.tar.gz".to_string(),
            Rebuilt::Differs(diff),
        ),
        ("app_1_amd64.deb".to_string(), Rebuilt::Same),
    ]);
    let report = judge(&p, &rebuilt, &outcomes);
    let statuses: Vec<Status> = report.files.iter().map(|f| f.status).collect();
    assert_eq!(
        statuses,
        [Status::Differs, Status::Identical, Status::Missing]
    );
    assert!(!report.ok());
    assert_eq!(
        report.files[0].detail(),
        "app-1-x86_64-unknown-linux-gnu.tar.gz: member `app-1/app` differs at byte 1234 (file byte 40)"
    );
    assert!(report.files[1]
        .detail()
        .contains("does not match its SHA256SUMS"));
    assert_eq!(
        report.inputs,
        [InputDiff {
            target: LINUX.into(),
            input: "rustc".into(),
            release: "rustc 1.89.0 (a 2025-08-04)".into(),
            here: "rustc 1.90.0 (b 2025-09-14)".into(),
        }]
    );
    // All identical: ok; nothing checked: not ok.
    let one = plan(&r, &KNOWN, &[LINUX.into()]).unwrap();
    let same = BTreeMap::from([
        (
            "app-1-x86_64-unknown-linux-gnu.tar.gz".to_string(),
            Rebuilt::Same,
        ),
        ("app_1_amd64.deb".to_string(), Rebuilt::Same),
    ]);
    assert!(judge(&one, &rebuilt, &same).ok());
    assert!(!judge(
        &VerifyPlan {
            files: vec![],
            ..one
        },
        &rebuilt,
        &same
    )
    .ok());
}
