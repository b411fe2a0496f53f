//! `{name}-installer.ps1`: the shell installer's counterpart for Windows (x86_64 and
//! arm64), from `templates/installer/installer.ps1`. The table lists the Windows archives,
//! MSVC before GNU for one CPU (the template takes the first that fits).
//!
//! Unproven here: no PowerShell runs on this machine kind, so the tests check the table
//! and the script's structure; a Windows runner must run it before it is trusted.

use super::{fill, Platform, Release};

const TEMPLATE: &str = include_str!("../../../templates/installer/installer.ps1");

/// A PowerShell single-quoted string. PowerShell ends such a string at any of its four
/// single quotes (`'`, U+2018, U+2019, U+201A, U+201B), so each is doubled, as `'` is;
/// nothing else is special inside one (issue 20 §6).
fn quote(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `None` when the release has no Windows archive to offer.
pub fn render(release: &Release) -> Option<String> {
    let info = release.info;
    let mut windows: Vec<(bool, &str, &super::ReleaseArchive)> = release
        .platforms()
        .into_iter()
        .filter_map(|(p, a)| match p {
            Platform::Windows { cpu, msvc } => Some((!msvc, cpu_name(&cpu), a)),
            _ => None,
        })
        .collect();
    windows.sort_by(|x, y| (x.1, x.0, &x.2.file_name).cmp(&(y.1, y.0, &y.2.file_name)));
    let rows: Vec<String> = windows
        .iter()
        .map(|(_, cpu, a)| {
            let bins: Vec<String> = a.binaries.iter().map(|b| quote(b)).collect();
            format!(
                "\n    @{{ Cpu = {}; File = {}; Sha256 = {}; Url = {}; Binaries = @({}) }}",
                quote(cpu),
                quote(&a.file_name),
                quote(&a.sha256),
                quote(&a.url),
                bins.join(", ")
            )
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let self_name = format!("{}-installer.ps1", info.package);
    Some(fill(
        TEMPLATE,
        &[
            ("NAME", &info.package),
            ("VERSION", &info.version),
            ("SELF_URL", &info.download_url.replace("{file}", &self_name)),
            (
                "INSTALL_DIR_VAR",
                &super::install_dir_variable(&info.package),
            ),
            ("ARCHIVES", &rows.join(",")),
        ],
    ))
}

/// The names `Get-MachineCpu` returns.
fn cpu_name(cpu: &str) -> &'static str {
    match cpu {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        "x86" => "x86",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_single_quote_powershell_knows_is_doubled() {
        assert_eq!(super::quote("it's"), "'it''s'");
        assert_eq!(
            super::quote("a\u{2019}; rm -r C:\\"),
            "'a\u{2019}\u{2019}; rm -r C:\\'"
        );
        assert_eq!(
            super::quote("\u{2018}\u{201A}\u{201B}$(x)"),
            "'\u{2018}\u{2018}\u{201A}\u{201A}\u{201B}\u{201B}$(x)'"
        );
    }
}
