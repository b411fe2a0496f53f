//! `{name}-installer.sh`: POSIX sh (it runs under dash), for Linux and macOS. The
//! platform table is written here from the release's archives; the template
//! (`templates/installer/installer.sh`) detects the machine, picks a row, downloads,
//! verifies the SHA-256 before unpacking, installs, and puts the directory on PATH with
//! one marked line in the user's shell profile (idempotent; the user can opt out).

use super::{fill, Release};

const TEMPLATE: &str = include_str!("../../../templates/installer/installer.sh");

/// `None` when the release has no Linux or macOS archive to offer.
pub fn render(release: &Release) -> Option<String> {
    let info = release.info;
    let mut rows = Vec::new();
    for (platform, a) in release.platforms() {
        let Some(key) = platform.shell_key() else {
            continue;
        };
        rows.push(format!(
            "{key} {} {} {} {}",
            a.file_name,
            a.sha256,
            a.url,
            a.binaries.join(",")
        ));
    }
    if rows.is_empty() {
        return None;
    }
    let table = format!("\n{}\n", rows.join("\n"));
    let self_name = format!("{}-installer.sh", info.package);
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
            (
                "NO_MODIFY_PATH_VAR",
                &super::no_modify_path_variable(&info.package),
            ),
            ("ARCHIVES", &table),
        ],
    ))
}
