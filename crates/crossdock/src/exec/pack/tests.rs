//! The runner from hand-made steps: what each step leaves in the out dir, in which order it
//! speaks, and the refusal of a step that depends on one not run before it.

use super::*;
use crate::sys::shell::{Shell, Verbosity};

const NAME: &str = "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz";
const COPY: &str = "app-x86_64-unknown-linux-gnu.tar.gz";

/// A finished thin archive in `dir`, as an input of `merge` holds it.
fn input_archive(dir: &Path) -> ArtifactEntry {
    let written = archive::write(
        &dir.join(NAME),
        ArchiveFormat::TarGz,
        "app-1.0.0-x86_64-unknown-linux-gnu",
        vec![Entry {
            name: "app".into(),
            source: Source::Bytes(b"#!/bin/sh\necho hi\n".to_vec()),
            mode: MODE_EXECUTABLE,
        }],
        1_700_000_000,
    )
    .unwrap();
    ArtifactEntry {
        name: NAME.into(),
        kind: ArtifactKind::Archive,
        package: Some("app".into()),
        version: Some("1.0.0".into()),
        target: Some("x86_64-unknown-linux-gnu".into()),
        members: Vec::new(),
        size: written.size,
        sha256: written.sha256,
        binaries: Vec::new(),
        files: Vec::new(),
        inputs: String::new(),
        profile_overrides: Vec::new(),
        build: None,
    }
}

fn out<'a>(dir: &'a Path) -> Out<'a> {
    Out {
        dir,
        epoch: 1_700_000_000,
        previous: None,
        record: crate::package::ownership::Record::load(
            crate::sys::fs::state_dir().as_deref(),
            dir,
        ),
        jobs: 1,
        scratch_in: dir,
        signer: None,
    }
}

#[test]
fn steps_are_written_in_order_then_checksums_and_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, dest) = (tmp.path().join("in"), tmp.path().join("dist"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&dest).unwrap();
    let entry = input_archive(&input);
    let steps = vec![
        PackStep::Warn("first the warning".into()),
        PackStep::Copy {
            from: input.join(NAME),
            entry: entry.clone(),
        },
        PackStep::Unversioned {
            of: NAME.into(),
            name: COPY.into(),
        },
        PackStep::Note {
            label: "Kept",
            text: "then the note".into(),
        },
    ];
    let sh = Shell::capturing(Verbosity::Normal);
    let manifest = {
        let _in = sh.enter();
        run(&steps, &out(&dest), Manifest::new(None, 1_700_000_000)).unwrap()
    };
    let bytes = std::fs::read(input.join(NAME)).unwrap();
    assert_eq!(std::fs::read(dest.join(NAME)).unwrap(), bytes);
    assert_eq!(std::fs::read(dest.join(COPY)).unwrap(), bytes);
    let sums = std::fs::read_to_string(dest.join(checksum::SUMS_FILE)).unwrap();
    let sums = checksum::parse(&sums, &dest).unwrap();
    assert_eq!(
        sums,
        vec![
            (NAME.to_string(), entry.sha256.clone()),
            (COPY.to_string(), entry.sha256.clone())
        ]
    );
    let names: Vec<&str> = manifest.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&NAME) && names.contains(&COPY), "{names:?}");
    let read = Manifest::read(&dest.join(crate::package::manifest::FILE_NAME)).unwrap();
    assert_eq!(read, manifest);
    let said = sh.captured();
    let (warned, noted) = (
        said.find("first the warning").unwrap(),
        said.find("then the note").unwrap(),
    );
    assert!(warned < noted, "{said}");
}

#[test]
fn an_unversioned_copy_of_an_archive_not_written_before_fails_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let steps = vec![PackStep::Unversioned {
        of: NAME.into(),
        name: COPY.into(),
    }];
    let err = run(&steps, &out(tmp.path()), Manifest::new(None, 1_700_000_000)).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains(NAME) && msg.contains(COPY), "{msg}");
    assert!(!tmp.path().join(COPY).exists());
    assert!(!tmp
        .path()
        .join(crate::package::manifest::FILE_NAME)
        .exists());
}
