use super::*;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/node-ws/hello-node")
}

fn parsed(text: &str) -> Result<Option<NapiPackage>> {
    parse(Path::new("mod/package.json"), text)
}

#[test]
fn the_fixture_reads_as_napi_rs_3_reads_it() {
    let p = read(&fixture_dir()).unwrap().unwrap();
    assert_eq!(
        (p.name.as_str(), p.package_name.as_str()),
        ("hello-node", "hello-node")
    );
    assert_eq!(p.version, "1.4.2");
    assert_eq!(p.binary_name, "hello");
    assert_eq!(
        p.targets,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl"
        ]
    );
    // The user's keys stay in the user's order (the root npm package is this file).
    let keys: Vec<&str> = p.json.keys().collect();
    assert_eq!(&keys[..3], ["name", "version", "description"]);
    // No index.js in the fixture: crossdock writes the loader.
    assert_eq!(p.loader(), ("index.js".to_string(), None));
}

#[test]
fn package_name_and_napi_rs_2_keys_and_defaults() {
    let p = parsed(
        r#"{"name": "@acme/fast", "version": "2.0.0-rc.1",
            "napi": {"packageName": "@acme/fast-native", "name": "fast",
                     "triples": {"defaults": true, "additional": ["aarch64-unknown-linux-gnu"]}}}"#,
    )
    .unwrap()
    .unwrap();
    assert_eq!(p.package_name, "@acme/fast-native");
    // The root package keeps `name`; packageName only prefixes the platform packages.
    assert_eq!(p.name, "@acme/fast");
    assert_eq!(p.binary_name, "fast");
    assert_eq!(p.targets.len(), 4);
    assert_eq!(p.targets[3], "aarch64-unknown-linux-gnu");
    let d = parsed(r#"{"name": "m", "version": "1.0.0", "napi": {}}"#)
        .unwrap()
        .unwrap();
    assert_eq!((d.binary_name.as_str(), d.targets.len()), ("index", 0));
}

#[test]
fn a_package_json_without_napi_is_no_node_module() {
    assert!(parsed(r#"{"name": "tool", "version": "1.0.0"}"#)
        .unwrap()
        .is_none());
    assert!(read(Path::new("/nonexistent/dir")).unwrap().is_none());
}

#[test]
fn errors_name_the_file_and_the_key() {
    for (text, needle) in [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        (
            r#"{"name": "m", "version": "1.0.0", "napi": true}"#,
            "`napi` must be an object",
        ),
        (r#"{"name": "m", "napi": {}}"#, "no `version`"),
        (r#"{"version": "1.0.0", "napi": {}}"#, "no `name`"),
        (
            r#"{"name": "M Big", "version": "1.0.0", "napi": {}}"#,
            "not an npm package name",
        ),
        (
            r#"{"name": "m", "version": "1/0", "napi": {}}"#,
            "not a semver version",
        ),
        (
            r#"{"name": "m", "version": "1.0.0", "napi": {"binaryName": "../x"}}"#,
            "plain file name",
        ),
        (
            r#"{"name": "m", "version": "1.0.0", "napi": {"targets": "x"}}"#,
            "list of target triples",
        ),
        (
            r#"{"name": "m", "version": 1, "napi": {}}"#,
            "`version` must be a string",
        ),
    ] {
        let err = format!("{:#}", parsed(text).unwrap_err());
        assert!(err.contains("mod/package.json"), "{text}: {err}");
        assert!(err.contains(needle), "{text}: {err}");
    }
}

#[test]
fn an_oversized_or_irregular_package_json_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!(
        r#"{{"name": "m", "version": "1.0.0", "napi": {{}}, "pad": "{}"}}"#,
        "x".repeat(MAX_PACKAGE_JSON as usize)
    );
    std::fs::write(dir.path().join("package.json"), big).unwrap();
    let err = read(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("package.json") && err.contains("larger than"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("package.json")).unwrap();
    let err = read(dir.path()).unwrap_err().to_string();
    assert!(err.contains("package.json is not a regular file"), "{err}");
}

#[test]
fn the_users_loader_is_found_beside_package_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "m", "version": "1.0.0", "main": "./lib/load.js", "napi": {}}"#,
    )
    .unwrap();
    let p = read(dir.path()).unwrap().unwrap();
    assert_eq!(p.loader(), ("lib/load.js".to_string(), None));
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(dir.path().join("lib/load.js"), "module.exports = 1").unwrap();
    assert_eq!(p.loader().1, Some(dir.path().join("lib/load.js")));
}

#[test]
fn targets_note_names_both_files_and_each_side() {
    let p = read(&fixture_dir()).unwrap().unwrap();
    let toml = Path::new("targets.toml");
    let same: Vec<String> = p.targets.clone();
    assert_eq!(targets_note(&p, toml, &same), None);
    let matrix = vec![
        "x86_64-unknown-linux-gnu".to_string(),
        "aarch64-unknown-linux-gnu".to_string(),
        "x86_64-pc-windows-gnu".to_string(),
    ];
    let note = targets_note(&p, toml, &matrix).unwrap();
    let file = Path::new("hello-node").join("package.json");
    assert!(note.contains(&file.display().to_string()), "{note}");
    assert!(note.contains("targets.toml"), "{note}");
    assert!(
        note.contains("lists x86_64-unknown-linux-musl that"),
        "{note}"
    );
    assert!(note.contains("builds x86_64-pc-windows-gnu that"), "{note}");
    // No napi.targets at all: nothing to compare.
    let none = parsed(r#"{"name": "m", "version": "1.0.0", "napi": {}}"#)
        .unwrap()
        .unwrap();
    assert_eq!(targets_note(&none, toml, &matrix), None);
}
