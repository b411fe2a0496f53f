//! Stage 5: from checked binaries to release files: the binary check, the fat Mach-O
//! writer, reproducible archives, native packages (.deb, .rpm), installers, checksums and the
//! manifest. Pure over bytes and files: nothing here starts a process.

pub mod archive;
pub mod archive_diff;
pub mod binary;
pub mod checksum;
pub mod codesign;
pub mod dsym;
pub mod gzip;
pub mod installer;
pub mod library;
pub mod manifest;
pub mod native;
pub mod node_module;
pub mod npm;
pub mod ownership;
pub mod sbom;
pub mod signature;
pub mod size_compare;
pub mod universal;
