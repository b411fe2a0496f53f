//! `{name}.rb`: a Homebrew formula (macOS arm64 and x86_64, or the universal archive when
//! there are no thin ones; Linux x86_64 and aarch64, glibc before musl), with the
//! SHA-256 of every URL, `bin.install` of each binary and a `test do` block that runs the
//! smoke arguments (default `--version`).

use super::{fill, Platform, Release, ReleaseArchive};

const TEMPLATE: &str = include_str!("../../../templates/installer/formula.rb");

/// A Ruby double-quoted string: `\`, `"` and `#` (interpolation) escaped.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' | '"' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Homebrew's class name for a formula name: `my-app` → `MyApp`, `a.b_c` → `ABC`.
pub fn class_name(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        match c {
            '-' | '_' | '.' => upper = true,
            '+' => {
                out.push('x');
                upper = false;
            }
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

fn url_block(indent: &str, a: &ReleaseArchive) -> String {
    format!(
        "{indent}url {}\n{indent}sha256 {}\n",
        quote(&a.url),
        quote(&a.sha256)
    )
}

/// `on_arm`/`on_intel` blocks for the archives found for each CPU.
fn by_cpu(
    arm: Option<&ReleaseArchive>,
    intel: Option<&ReleaseArchive>,
    fallback: Option<&ReleaseArchive>,
) -> String {
    let (arm, intel) = (arm.or(fallback), intel.or(fallback));
    if let (Some(a), Some(i)) = (arm, intel) {
        if a == i {
            return url_block("    ", a);
        }
    }
    let mut s = String::new();
    if let Some(a) = arm {
        s.push_str(&format!(
            "    on_arm do\n{}    end\n",
            url_block("      ", a)
        ));
    }
    if let Some(i) = intel {
        s.push_str(&format!(
            "    on_intel do\n{}    end\n",
            url_block("      ", i)
        ));
    }
    s
}

/// `None` when the release has no macOS or Linux archive for Homebrew's CPUs.
pub fn render(release: &Release) -> Option<String> {
    let info = release.info;
    let mac = |cpu: &'static str| {
        release.find(move |p| matches!(p, Platform::MacOs { cpu: c } if c == cpu))
    };
    let universal = release.find(|p| *p == Platform::MacOsUniversal);
    let linux = |cpu: &'static str| {
        release
            .find(move |p| matches!(p, Platform::Linux { cpu: c, musl: false } if c == cpu))
            .or_else(|| {
                release
                    .find(move |p| matches!(p, Platform::Linux { cpu: c, musl: true } if c == cpu))
            })
    };
    let mut platforms = String::new();
    let macos = by_cpu(mac("aarch64"), mac("x86_64"), universal);
    if !macos.is_empty() {
        platforms.push_str(&format!("\n  on_macos do\n{macos}  end\n"));
    }
    let on_linux = by_cpu(linux("aarch64"), linux("x86_64"), None);
    if !on_linux.is_empty() {
        platforms.push_str(&format!("\n  on_linux do\n{on_linux}  end\n"));
    }
    if platforms.is_empty() {
        return None;
    }
    let mut about = String::new();
    if let Some(d) = &info.description {
        about.push_str(&format!("  desc {}\n", quote(d)));
    }
    if let Some(h) = &info.homepage {
        about.push_str(&format!("  homepage {}\n", quote(h)));
    }
    if let Some(l) = &info.license {
        about.push_str(&format!("  license {}\n", quote(l)));
    }
    let install: String = info
        .binaries
        .iter()
        .map(|b| format!("    bin.install {}\n", quote(b)))
        .collect();
    let mut test: String = info
        .smoke
        .iter()
        .map(|(bin, args)| {
            let mut words = vec![format!("bin/{}", quote(bin))];
            words.extend(args.iter().map(|a| quote(a)));
            format!("    system {}\n", words.join(", "))
        })
        .collect();
    if test.is_empty() {
        // Every smoke run is off: at least the binaries must be there.
        test = info
            .binaries
            .iter()
            .map(|b| format!("    assert_predicate bin/{}, :exist?\n", quote(b)))
            .collect();
    }
    Some(fill(
        TEMPLATE,
        &[
            ("NAME", &info.package),
            ("VERSION", &info.version),
            ("CLASS", &class_name(&info.package)),
            ("ABOUT", &about),
            ("PLATFORMS", &platforms),
            ("INSTALL", &install),
            ("TEST", &test),
        ],
    ))
}
