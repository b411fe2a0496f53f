//! A package's SBOM for one target as CycloneDX 1.5 JSON (`sbom = true`; the crates come
//! from `plan/sbom.rs`). Reproducible: nothing in it comes from the clock or chance. The
//! timestamp is SOURCE_DATE_EPOCH's, the serial number a UUID made from the SHA-256 of the
//! rest of the document, and every list is in a fixed order.
//!
//! Each crate is a component with its purl (`pkg:cargo/NAME@VERSION`), its license as an
//! SPDX expression and, for a registry crate, Cargo.lock's checksum as a SHA-256 hash. A
//! crate compiled for the host only (a build script's dependency, a proc-macro, and what
//! those need) is listed with scope `excluded` and the property `crossdock:compiled-for` =
//! `host`: it shaped the binary without being in it. The others have scope `required`.

use serde_json::{json, Value};

use crate::model::deps::{Crate, Use};
use crate::plan::PlannedSbom;

/// The SBOM's bytes: pretty-printed JSON and a final newline.
pub fn cyclonedx(sbom: &PlannedSbom, epoch: u64, tool_version: &str) -> Vec<u8> {
    let unsigned = document(sbom, epoch, tool_version, None);
    let digest = crate::package::archive::sha256_hex(unsigned.to_string().as_bytes());
    let doc = document(sbom, epoch, tool_version, Some(&uuid_from(&digest)));
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    text.push('\n');
    text.into_bytes()
}

fn document(sbom: &PlannedSbom, epoch: u64, tool_version: &str, serial: Option<&str>) -> Value {
    let crates = &sbom.shipped.crates;
    let refs = bom_refs(crates.iter().map(|(c, _)| c));
    let component = |i: usize| {
        let (c, u) = &crates[i];
        let mut v = json!({
            "type": if i == 0 { "application" } else { "library" },
            "bom-ref": refs[i],
            "name": c.name,
            "version": c.version,
            "purl": c.purl(),
        });
        if i > 0 {
            v["scope"] = json!(match u {
                Use::Target => "required",
                Use::Host => "excluded",
            });
            if *u == Use::Host {
                v["properties"] = json!([{"name": "crossdock:compiled-for", "value": "host"}]);
            }
        }
        if let Some(l) = c.license_expression() {
            v["licenses"] = json!([{ "expression": l }]);
        }
        if let Some(sum) = &c.checksum {
            v["hashes"] = json!([{ "alg": "SHA-256", "content": sum }]);
        }
        v
    };
    let mut properties = vec![json!({"name": "crossdock:target", "value": sbom.target.as_str()})];
    if !sbom.features.is_empty() {
        properties.push(json!({"name": "crossdock:features", "value": sbom.features.join(",")}));
    }
    if sbom.no_default_features {
        properties.push(json!({"name": "crossdock:no-default-features", "value": "true"}));
    }
    let dependencies: Vec<Value> = crates
        .iter()
        .enumerate()
        .map(|(i, (c, _))| {
            let on: Vec<&String> = c.deps.iter().map(|d| &refs[d.to]).collect();
            json!({ "ref": refs[i], "dependsOn": on })
        })
        .collect();
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "timestamp": rfc3339(epoch),
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "crossdock",
                    "version": tool_version,
                }]
            },
            "component": component(0),
            "properties": properties,
        },
        "components": (1..crates.len()).map(component).collect::<Vec<_>>(),
        "dependencies": dependencies,
    });
    if let Some(s) = serial {
        doc["serialNumber"] = json!(s);
    }
    doc
}

/// Each crate's `bom-ref`: its purl, with `#2`, `#3`… on a purl seen before (two path
/// crates of one name and version).
fn bom_refs<'a>(crates: impl Iterator<Item = &'a Crate>) -> Vec<String> {
    let mut refs: Vec<String> = Vec::new();
    for c in crates {
        let base = c.purl();
        let mut r = base.clone();
        let mut n = 1;
        while refs.contains(&r) {
            n += 1;
            r = format!("{base}#{n}");
        }
        refs.push(r);
    }
    refs
}

/// `urn:uuid:…` from the first 128 bits of a SHA-256 hex digest, with the version (5, a
/// name-based UUID) and variant bits the CycloneDX schema asks for.
fn uuid_from(hex: &str) -> String {
    let mut b: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex digest"))
        .collect();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a UTC time.
fn rfc3339(secs: u64) -> String {
    let (y, mo, d, h, mi, s, _) = crate::model::time::civil_utc(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deps::{CrateSource, Dep, Shipped};

    fn sbom() -> PlannedSbom {
        let krate = |name: &str, source, checksum: Option<&str>, deps: Vec<Dep>| Crate {
            name: name.into(),
            version: "1.2.3".into(),
            source,
            license: Some("MIT/Apache-2.0".into()),
            checksum: checksum.map(str::to_string),
            proc_macro: false,
            deps,
        };
        PlannedSbom {
            file_name: "app-1.2.3-x86_64-unknown-linux-gnu.cdx.json".into(),
            package: "app".into(),
            version: "1.2.3".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            features: vec!["fast".into()],
            no_default_features: false,
            shipped: Shipped {
                crates: vec![
                    (
                        krate(
                            "app",
                            CrateSource::Path,
                            None,
                            vec![
                                Dep {
                                    to: 1,
                                    build: false,
                                },
                                Dep { to: 2, build: true },
                            ],
                        ),
                        Use::Target,
                    ),
                    (
                        krate("itoa", CrateSource::CratesIo, Some("ab12"), vec![]),
                        Use::Target,
                    ),
                    (krate("helper", CrateSource::Path, None, vec![]), Use::Host),
                ],
            },
        }
    }

    #[test]
    fn the_document_is_reproducible_and_says_what_is_in_the_binary() {
        let a = cyclonedx(&sbom(), 1_700_000_000, "0.9.0");
        assert_eq!(a, cyclonedx(&sbom(), 1_700_000_000, "0.9.0"));
        let v: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["specVersion"], "1.5");
        assert_eq!(v["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
        let serial = v["serialNumber"].as_str().unwrap();
        assert_eq!(serial.len(), "urn:uuid:".len() + 36);
        assert_eq!(&serial[23..24], "5", "{serial}");
        assert_eq!(v["metadata"]["component"]["purl"], "pkg:cargo/app@1.2.3");
        let itoa = &v["components"][0];
        assert_eq!(itoa["scope"], "required");
        assert_eq!(itoa["hashes"][0]["content"], "ab12");
        assert_eq!(itoa["licenses"][0]["expression"], "MIT OR Apache-2.0");
        let helper = &v["components"][1];
        assert_eq!(helper["scope"], "excluded");
        assert_eq!(helper["properties"][0]["value"], "host");
        assert_eq!(
            v["dependencies"][0]["dependsOn"],
            json!(["pkg:cargo/itoa@1.2.3", "pkg:cargo/helper@1.2.3"])
        );
        // Another epoch: another timestamp and serial number.
        let b: Value = serde_json::from_slice(&cyclonedx(&sbom(), 1, "0.9.0")).unwrap();
        assert_ne!(b["serialNumber"], v["serialNumber"]);
    }
}
