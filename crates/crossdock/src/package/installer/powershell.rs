//! `{name}-installer.ps1`: the shell installer's counterpart for Windows (x86_64 and
//! arm64), from `templates/installer/installer.ps1`. The table lists the Windows archives,
//! MSVC before GNU for one CPU (the template takes the first that fits).
//!
//! Unproven here: no PowerShell runs on this machine kind, so the tests check the table
//! and the script's structure; a Windows runner must run it before it is trusted.

use super::{fill, Platform, Release};

const TEMPLATE: &str = include_str!("../../../templates/installer/installer.ps1");

/// A PowerShell single-quoted string (`'` doubled).
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn render(release: &Release) -> String {
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
    let self_name = format!("{}-installer.ps1", info.package);
    fill(
        TEMPLATE,
        &[
            ("NAME", &info.package),
            ("VERSION", &info.version),
            ("SELF_URL", &info.download_url.replace("{file}", &self_name)),
            ("ARCHIVES", &rows.join(",")),
        ],
    )
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
