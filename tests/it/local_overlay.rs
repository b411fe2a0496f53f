//! `targets.local.toml`: this machine's settings reach `dist`/`doctor`, never `matrix`; and
//! `matrix` warns about machine paths left in the shared targets.toml.

use crate::support::*;

#[test]
fn overlay_applies_to_doctor_not_to_matrix() {
    let fx = Fixture::new("tiny");
    let host = host();
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{host}\"\nrunner = [\"/opt/somewhere/qemu\"]\n"),
    );
    fx.write(
        "targets.local.toml",
        &format!("[[target]]\ntriple = \"{host}\"\nlinker = \"crossdock-local-only-gcc\"\n"),
    );
    let r = fx.run(&["doctor", "--no-probe"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("`crossdock-local-only-gcc` (targets.toml `linker`) is not on PATH"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("targets.local.toml"), "{}", r.stderr);
    let m = fx.run(&["matrix"]).ok();
    assert!(
        !m.stdout.contains("crossdock-local-only-gcc"),
        "{}",
        m.stdout
    );
    assert!(
        m.stderr
            .contains("runner = \"/opt/somewhere/qemu\" is a path on this machine"),
        "{}",
        m.stderr
    );
}
