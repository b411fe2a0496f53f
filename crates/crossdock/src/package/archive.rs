//! Reproducible archives, streamed and hashed while they are written.
//!
//! Same inputs, same bytes: entries sorted, one top folder, a fixed mtime (the plan's
//! SOURCE_DATE_EPOCH), uid/gid 0 with empty owner names, mode 0755 for binaries and 0644
//! for everything else, a gzip header without name or time and gzip blocks of a fixed size
//! deflated on every core (`gzip.rs`), xz blocks of a fixed size and
//! zstd always in its worker mode (so the thread count never changes the bytes), zip
//! entries with fixed timestamps and unix modes. Umask, file mtimes and the checkout path never leak in.
//! Every archive is written to a temporary file beside its destination and renamed into
//! place, so an interrupted run never leaves a partial archive under its final name.
//! Pure over files: this module starts no process.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::model::archive::ArchiveFormat;
use crate::package::gzip::ParallelGz;
pub use crate::sys::fs::write_atomic;

pub const MODE_EXECUTABLE: u32 = 0o755;
pub const MODE_FILE: u32 = 0o644;

/// Deflate level. zlib-rs at 9 is both smaller and faster than GNU `gzip -6` on a 100 MB
/// binary-like file (benches/overhead.sh: 37.7 MB in 6.5 s vs 38.0 MB in 7.2 s); level 6
/// would be 2.7x faster but 2.7% larger, and users download these archives many times.
pub const GZIP_LEVEL: u32 = 9;

pub use crate::sys::fs::TMP_SUFFIX;

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// Content held in memory: a file crossdock writes (an npm package's package.json and
    /// loader), and the archive tests.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// Path below the top folder, `/`-separated, relative and normalized.
    pub name: String,
    pub source: Source,
    pub mode: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

/// A writer that hashes and counts what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    pub fn finish(self) -> (W, u64, String) {
        (self.inner, self.count, hex(&self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of bytes in memory, as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 and size of a file, streamed.
pub fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut f = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut w = HashingWriter::new(io::sink());
    io::copy(&mut f, &mut w).with_context(|| format!("cannot read {}", path.display()))?;
    let (_, size, sha) = w.finish();
    Ok((size, sha))
}

/// Writes the archive `dest` holding `entries` below `top_dir/`.
pub fn write(
    dest: &Path,
    format: ArchiveFormat,
    top_dir: &str,
    mut entries: Vec<Entry>,
    mtime: u64,
) -> Result<Written> {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let (size, sha256) = match format {
        ArchiveFormat::TarGz | ArchiveFormat::TarXz | ArchiveFormat::TarZst => {
            write_atomic(dest, MODE_FILE, |f| {
                let split = Split {
                    threads: compression_threads(),
                    xz_block_size: XZ_BLOCK_SIZE,
                };
                write_tar(f, format, top_dir, &entries, mtime, split)
            })?
        }
        ArchiveFormat::Zip => {
            write_atomic(dest, MODE_FILE, |f| write_zip(f, top_dir, &entries, mtime))?;
            hash_file(dest)?
        }
    };
    Ok(Written {
        path: dest.to_path_buf(),
        size,
        sha256,
    })
}

/// Reads back a tar archive crossdock could have written (`merge` scans and unpacks its
/// inputs with this), decompressed by the format its name ends in.
pub fn open_tar(path: &Path) -> Result<tar::Archive<Box<dyn Read>>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = BufReader::with_capacity(1 << 20, file);
    let reader: Box<dyn Read> = match ArchiveFormat::of_file_name(&name).map(|(f, _)| f) {
        Some(ArchiveFormat::TarGz) => Box::new(flate2::read::GzDecoder::new(file)),
        Some(ArchiveFormat::TarXz) => Box::new(lzma_rust2::XzReader::new(file, false)),
        Some(ArchiveFormat::TarZst) => Box::new(
            zstd::stream::read::Decoder::with_buffer(file)
                .with_context(|| format!("{} is not a zstd stream", path.display()))?,
        ),
        Some(ArchiveFormat::Zip) | None => anyhow::bail!(
            "{}: not a tar archive (.tar.gz, .tar.xz or .tar.zst)",
            path.display()
        ),
    };
    Ok(tar::Archive::new(reader))
}

/// Directories to create before the entries: the top folder and every parent of an entry.
fn directories(top_dir: &str, entries: &[Entry]) -> Vec<String> {
    let mut dirs = std::collections::BTreeSet::new();
    dirs.insert(format!("{top_dir}/"));
    for e in entries {
        let mut path = String::from(top_dir);
        let parts: Vec<&str> = e.name.split('/').collect();
        for p in &parts[..parts.len() - 1] {
            path.push('/');
            path.push_str(p);
            dirs.insert(format!("{path}/"));
        }
    }
    dirs.into_iter().collect()
}

/// An entry's size, taken once, and a reader that yields exactly that many bytes or fails.
fn open_source(e: &Entry) -> Result<(u64, Box<dyn Read + '_>)> {
    Ok(match &e.source {
        Source::Bytes(b) => (b.len() as u64, Box::new(&b[..])),
        Source::File(p) => {
            let f = File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
            let len = f
                .metadata()
                .with_context(|| format!("cannot read {}", p.display()))?
                .len();
            let reader = BufReader::with_capacity(1 << 20, f);
            (len, Box::new(Declared::new(reader, len, p)))
        }
    })
}

/// A file read as its entry declares it (issue 20 §8): the size its metadata gave when it
/// was opened, which the tar header (or zip's large-file choice) already holds. A file that
/// ends early or goes on past that size — rewritten while it is packed, or a `/proc` file,
/// whose metadata says 0 bytes — fails the archive naming it, instead of a header that
/// disagrees with its data (a corrupt stream written with exit 0).
struct Declared<'p, R> {
    inner: R,
    declared: u64,
    left: u64,
    path: &'p Path,
}

impl<'p, R: Read> Declared<'p, R> {
    fn new(inner: R, declared: u64, path: &'p Path) -> Self {
        Declared {
            inner,
            declared,
            left: declared,
            path,
        }
    }

    fn changed(&self, how: &str) -> io::Error {
        io::Error::other(format!(
            "{}: its size changed while it was read ({} bytes when opened, {how}); a file that is being written, or one whose size is not its content (such as /proc files), cannot be archived: copy it into a regular file first, or run again once it is finished",
            self.path.display(),
            self.declared
        ))
    }
}

impl<R: Read> Read for Declared<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // The declared end: the file must end here too.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe) {
                Ok(0) => Ok(0),
                Ok(_) => Err(self.changed("more when read")),
                Err(e) => Err(e),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..want])?;
        if got == 0 {
            let read = self.declared - self.left;
            return Err(self.changed(&format!("{read} when read")));
        }
        self.left -= got as u64;
        Ok(got)
    }
}

/// The compressor over a tar stream: each hands back the writer below it when finished.
trait Compressor: Write {
    type Inner;
    fn finish_stream(self) -> io::Result<Self::Inner>;
}

impl<W: Write> Compressor for ParallelGz<W> {
    type Inner = W;
    fn finish_stream(self) -> io::Result<W> {
        self.finish()
    }
}

impl<W: Write> Compressor for lzma_rust2::XzWriterMt<W> {
    type Inner = W;
    fn finish_stream(self) -> io::Result<W> {
        self.finish()
    }
}

impl<W: Write> Compressor for zstd::stream::write::Encoder<'static, W> {
    type Inner = W;
    fn finish_stream(self) -> io::Result<W> {
        self.finish()
    }
}

/// xz preset 6, xz's own default (8 MiB dictionary). Preset 9 measured 674 MiB per
/// compressing thread (772 MB peak for two on an 80 MB binary) for a few percent less,
/// and `dist` writes several archives at once.
pub const XZ_PRESET: u32 = 6;

/// Uncompressed bytes per xz block. Fixed, so the stream is the same whatever the number of
/// threads: each block is compressed on its own and written in order (3x the dictionary,
/// what `xz -T` picks for this preset).
const XZ_BLOCK_SIZE: u64 = 24 << 20;

/// zstd level 19: the strongest before `--ultra`'s memory needs on the decompressing side.
pub const ZSTD_LEVEL: i32 = 19;

/// zstd's workers: always this many, whatever the machine. Worker mode writes other bytes
/// than single-threaded mode; 1 and 2 workers wrote the same bytes for an 80 MB binary at
/// level 19 (three jobs), but zstd documents determinism per parameter set, and the worker
/// count is a parameter: a fixed count keeps every machine's archives identical without
/// relying on more. Two workers took 270 MB there.
pub const ZSTD_WORKERS: u32 = 2;

/// Threads for gzip and xz: their blocks have a fixed size and are compressed independently
/// and written in order, so their number changes no byte (measured on the same binary, and
/// the unit tests here and in `gzip.rs`).
pub fn compression_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
}

/// How gzip and xz split their work: threads, and the uncompressed size of each xz block.
#[derive(Debug, Clone, Copy)]
struct Split {
    threads: u32,
    xz_block_size: u64,
}

type Hashing<'f> = HashingWriter<BufWriter<&'f mut File>>;

fn write_tar(
    file: &mut File,
    format: ArchiveFormat,
    top_dir: &str,
    entries: &[Entry],
    mtime: u64,
    split: Split,
) -> Result<(u64, String)> {
    let hashing = HashingWriter::new(BufWriter::with_capacity(1 << 20, file));
    let hashing = match format {
        ArchiveFormat::TarGz => {
            let gz = ParallelGz::new(hashing, GZIP_LEVEL, split.threads)?;
            tar_into(gz, top_dir, entries, mtime)?
        }
        ArchiveFormat::TarXz => {
            let mut opts = lzma_rust2::XzOptions::with_preset(XZ_PRESET);
            opts.set_block_size(std::num::NonZeroU64::new(split.xz_block_size));
            let writer = lzma_rust2::XzWriterMt::new(hashing, opts, split.threads)?;
            tar_into(writer, top_dir, entries, mtime)?
        }
        ArchiveFormat::TarZst => {
            let mut zst = zstd::stream::write::Encoder::new(hashing, ZSTD_LEVEL)?;
            zst.include_checksum(true)?;
            zst.multithread(ZSTD_WORKERS)?;
            tar_into(zst, top_dir, entries, mtime)?
        }
        ArchiveFormat::Zip => unreachable!("zip is not a tar stream"),
    };
    let (mut buf, size, sha) = hashing.finish();
    buf.flush()?;
    Ok((size, sha))
}

/// A GNU tar header that records nothing of the machine: owner 0:0, the given mode and
/// mtime (SOURCE_DATE_EPOCH). Shared with the `.deb` writer's tar members.
pub fn tar_header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_size(size);
    h
}

/// Writes the tar stream through `out` and finishes the compressor.
fn tar_into<'f, C: Compressor<Inner = Hashing<'f>>>(
    out: C,
    top_dir: &str,
    entries: &[Entry],
    mtime: u64,
) -> Result<Hashing<'f>> {
    let mut tar = tar::Builder::new(out);
    tar.mode(tar::HeaderMode::Deterministic);
    let header = |kind, mode, size| tar_header(kind, mode, size, mtime);
    for d in directories(top_dir, entries) {
        let mut h = header(tar::EntryType::Directory, MODE_EXECUTABLE, 0);
        tar.append_data(&mut h, &d, io::empty())?;
    }
    for e in entries {
        let (len, reader) = open_source(e)?;
        let mut h = header(tar::EntryType::Regular, e.mode, len);
        tar.append_data(&mut h, format!("{top_dir}/{}", e.name), reader)
            .with_context(|| format!("adding {} to the archive", e.name))?;
    }
    Ok(tar.into_inner()?.finish_stream()?)
}

/// Seconds since the epoch as a zip (DOS) date; before 1980 becomes 1980-01-01, after 2107
/// is an error (the planner refuses such a SOURCE_DATE_EPOCH for zip targets first).
fn zip_time(mtime: u64) -> Result<zip::DateTime> {
    use crate::model::archive::ZIP_END_OF_TIME;
    if mtime >= ZIP_END_OF_TIME {
        anyhow::bail!("SOURCE_DATE_EPOCH {mtime} is after 2107, the last year a zip entry can hold; set an earlier SOURCE_DATE_EPOCH, or a tar format for this target");
    }
    let (year, month, day, hour, minute, second, _) = crate::model::time::civil_utc(mtime);
    if year < 1980 {
        return Ok(zip::DateTime::default());
    }
    Ok(zip::DateTime::from_date_and_time(
        year as u16,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        (second as u8) & !1,
    )
    .unwrap_or_default())
}

fn write_zip(file: &mut File, top_dir: &str, entries: &[Entry], mtime: u64) -> Result<()> {
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(1 << 20, &mut *file));
    let base = zip::write::SimpleFileOptions::default()
        .last_modified_time(zip_time(mtime)?)
        .large_file(false);
    for d in directories(top_dir, entries) {
        zip.add_directory(d, base.unix_permissions(MODE_EXECUTABLE))?;
    }
    for e in entries {
        let (len, mut reader) = open_source(e)?;
        let opts = base
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(i64::from(GZIP_LEVEL)))
            .unix_permissions(e.mode)
            .large_file(len >= u64::from(u32::MAX));
        zip.start_file(format!("{top_dir}/{}", e.name), opts)?;
        io::copy(&mut reader, &mut zip)
            .with_context(|| format!("adding {} to the archive", e.name))?;
    }
    let mut w = zip.finish()?;
    w.flush()?;
    drop(w);
    file.rewind()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_time_is_civil_utc() {
        let t = zip_time(1_700_000_000).unwrap(); // 2023-11-14 22:13:20 UTC
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
        assert_eq!(zip_time(0).unwrap(), zip::DateTime::default());
        use crate::model::archive::ZIP_END_OF_TIME;
        assert!(zip_time(ZIP_END_OF_TIME).is_err());
        assert!(zip_time(ZIP_END_OF_TIME - 2).is_ok());
    }

    #[test]
    fn same_input_same_bytes_and_hash_matches_file() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            Entry {
                name: "b".into(),
                source: Source::Bytes(b"bee".to_vec()),
                mode: MODE_FILE,
            },
            Entry {
                name: "a".into(),
                source: Source::Bytes(vec![7; 100_000]),
                mode: MODE_EXECUTABLE,
            },
            Entry {
                name: "doc/c.md".into(),
                source: Source::Bytes(b"c".to_vec()),
                mode: MODE_FILE,
            },
        ];
        for fmt in ArchiveFormat::ALL {
            let p1 = dir.path().join(format!("one.{}", fmt.extension()));
            let p2 = dir.path().join(format!("two.{}", fmt.extension()));
            let w1 = write(&p1, fmt, "top", entries.clone(), 1_700_000_000).unwrap();
            let mut rev = entries.clone();
            rev.reverse();
            let w2 = write(&p2, fmt, "top", rev, 1_700_000_000).unwrap();
            assert_eq!(std::fs::read(&p1).unwrap(), std::fs::read(&p2).unwrap());
            assert_eq!(w1.sha256, w2.sha256);
            assert_eq!(hash_file(&p1).unwrap(), (w1.size, w1.sha256.clone()));
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2 * ArchiveFormat::ALL.len(), "{names:?}");
    }

    #[test]
    fn xz_bytes_do_not_depend_on_the_thread_count_nor_zstd_s_on_the_run() {
        let dir = tempfile::tempdir().unwrap();
        // Not trivially compressible, and three xz blocks of the smallest size (the 8 MiB
        // dictionary) so that the threads really split the work.
        let data: Vec<u8> = (0u32..20_000_000)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x3f)
            .collect();
        let entries = vec![Entry {
            name: "bin".into(),
            source: Source::Bytes(data),
            mode: MODE_EXECUTABLE,
        }];
        let runs = [
            (ArchiveFormat::TarXz, 1),
            (ArchiveFormat::TarXz, 3),
            (ArchiveFormat::TarZst, 1),
            (ArchiveFormat::TarZst, 2),
        ];
        let hashes: Vec<(u64, String)> = runs
            .iter()
            .map(|(fmt, threads)| {
                let path = dir.path().join(format!("{threads}.{}", fmt.extension()));
                let mut f = File::create(&path).unwrap();
                let split = Split {
                    threads: *threads,
                    xz_block_size: 8 << 20,
                };
                let got = write_tar(&mut f, *fmt, "top", &entries, 1, split).unwrap();
                assert_eq!(hash_file(&path).unwrap(), got);
                got
            })
            .collect();
        assert_eq!(hashes[0], hashes[1], "xz with 1 and 3 threads");
        assert_eq!(hashes[2], hashes[3], "zstd twice");
        // The multi-block stream reads back whole.
        let xz = std::fs::read(dir.path().join("3.tar.xz")).unwrap();
        let mut r = lzma_rust2::XzReader::new(&xz[..], false);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert!(out.len() > 20_000_000);
    }

    /// The tar.gz bytes are pinned (issue 25 §5: a faster writer must not change a byte):
    /// a 3 MiB binary-like file (zero runs, near and far repeats, noise; seven gzip jobs,
    /// the last one short) and a small text file, with 1 and 2 threads, must give this
    /// SHA-256, the one the writer of before the speed work gave. A change of the deflate
    /// code (zlib-rs version, level, block or dictionary size) fails here first.
    #[test]
    fn tar_gz_bytes_are_pinned() {
        const PINNED: &str = "35ab40855eb535a736c01ca20e22cf2aea15d599d0ca3260c9a25f07327f72ba";
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let binary: Vec<u8> = (0..3 * (1 << 20) + 4321)
            .map(|i: usize| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match (i / 9000) % 5 {
                    0 => 0,
                    1 => (i % 97) as u8 ^ (x & 3) as u8,
                    2 => (x >> 56) as u8,
                    3 => b"mov rax, [rbp-8]; call 0x4010; "[i % 31],
                    _ => ((i / 3) as u32).wrapping_mul(40_503) as u8 & 0x3f,
                }
            })
            .collect();
        let entries = vec![
            Entry {
                name: "bin".into(),
                source: Source::Bytes(binary),
                mode: MODE_EXECUTABLE,
            },
            Entry {
                name: "README.md".into(),
                source: Source::Bytes(b"# crossdock\n\nReproducible archives.\n".repeat(50)),
                mode: MODE_FILE,
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        for threads in [1, 2] {
            let path = dir.path().join(format!("{threads}.tar.gz"));
            let mut f = File::create(&path).unwrap();
            let split = Split {
                threads,
                xz_block_size: XZ_BLOCK_SIZE,
            };
            let (_, sha) = write_tar(
                &mut f,
                ArchiveFormat::TarGz,
                "top",
                &entries,
                1_700_000_000,
                split,
            )
            .unwrap();
            assert_eq!(sha, PINNED, "{threads} threads");
        }
    }

    /// Issue 20 §8: a file that ends before or goes on past the size its entry declares
    /// fails, naming it and both sizes; one that keeps its size reads whole.
    #[test]
    fn a_file_read_past_or_short_of_its_declared_size_fails_naming_it() {
        let path = Path::new("dir/notes.txt");
        let read = |data: &[u8], declared| {
            let mut out = Vec::new();
            Declared::new(data, declared, path)
                .read_to_end(&mut out)
                .map(|_| out)
        };
        assert_eq!(read(b"hello", 5).unwrap(), b"hello");
        assert_eq!(read(b"", 0).unwrap(), b"");
        let shrank = read(b"hel", 5).unwrap_err().to_string();
        assert!(
            shrank.contains("dir/notes.txt") && shrank.contains("5 bytes when opened, 3 when read"),
            "{shrank}"
        );
        let grew = read(b"hello!", 5).unwrap_err().to_string();
        assert!(
            grew.contains("dir/notes.txt") && grew.contains("5 bytes when opened, more"),
            "{grew}"
        );
    }

    /// A `/proc` file's metadata says 0 bytes, its content is more: every format refuses
    /// it naming the file and leaves no archive (it wrote a header of size 0 followed by the
    /// content, a corrupt stream, with exit 0).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_proc_file_fails_every_format_naming_it_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for fmt in ArchiveFormat::ALL {
            let dest = dir.path().join(format!("p.{}", fmt.extension()));
            let entries = vec![Entry {
                name: "status".into(),
                source: Source::File(PathBuf::from("/proc/self/status")),
                mode: MODE_FILE,
            }];
            let err = format!("{:#}", write(&dest, fmt, "top", entries, 0).unwrap_err());
            assert!(
                err.contains("/proc/self/status: its size changed while it was read"),
                "{fmt:?}: {err}"
            );
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{fmt:?}");
        }
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.tar.gz");
        let entries = vec![Entry {
            name: "a".into(),
            source: Source::File(dir.path().join("missing")),
            mode: MODE_FILE,
        }];
        assert!(write(&dest, ArchiveFormat::TarGz, "top", entries, 0).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
