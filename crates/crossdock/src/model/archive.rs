//! The archive formats crossdock writes, by the names targets.toml and file names give
//! them. Shared by the config reader, the planner, the archivers and `merge`.

/// The first second a zip (DOS) date cannot hold: 2108-01-01 00:00:00 UTC.
pub const ZIP_END_OF_TIME: u64 = 4_354_819_200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum ArchiveFormat {
    #[serde(rename = "tar.gz")]
    TarGz,
    #[serde(rename = "tar.xz")]
    TarXz,
    #[serde(rename = "tar.zst")]
    TarZst,
    #[serde(rename = "zip")]
    Zip,
}

impl ArchiveFormat {
    pub const ALL: [ArchiveFormat; 4] = [
        ArchiveFormat::TarGz,
        ArchiveFormat::TarXz,
        ArchiveFormat::TarZst,
        ArchiveFormat::Zip,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::TarXz => "tar.xz",
            ArchiveFormat::TarZst => "tar.zst",
            ArchiveFormat::Zip => "zip",
        }
    }

    /// The format a file name ends in (`.tar.gz`, `.tgz`, `.tar.xz`, `.tar.zst`, `.zip`),
    /// and the name without it.
    pub fn of_file_name(name: &str) -> Option<(ArchiveFormat, &str)> {
        if let Some(stem) = name.strip_suffix(".tgz") {
            return Some((ArchiveFormat::TarGz, stem));
        }
        ArchiveFormat::ALL.into_iter().find_map(|f| {
            name.strip_suffix(f.extension())
                .and_then(|s| s.strip_suffix('.'))
                .map(|stem| (f, stem))
        })
    }

    /// A value of `archive` or `formats` in targets.toml.
    pub fn from_key(value: &str) -> Option<ArchiveFormat> {
        match value {
            "tgz" => Some(ArchiveFormat::TarGz),
            v => ArchiveFormat::ALL.into_iter().find(|f| f.extension() == v),
        }
    }
}
