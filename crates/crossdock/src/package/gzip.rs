//! Gzip on every core, like pigz, with bytes that do not depend on the core count.
//!
//! Deflate is sequential, but a stream may be cut into pieces: the input is split into
//! blocks of a fixed size ([`BLOCK`]); each block is deflated on its own by a worker thread,
//! primed with the last 32 KiB of the block before it (the whole window deflate can
//! refer back to, so matches across the cut are still found), and ended with a sync flush,
//! which closes it on a byte boundary; the last block ends the stream. The pieces, written
//! in order behind one gzip header and followed by the CRC-32 and length of the whole
//! input, are one valid gzip member that any gunzip reads.
//!
//! Why the bytes stay the same everywhere: where a block starts depends only on the input
//! (a fixed size, never the number of threads or how the caller's writes were cut), and
//! each block's deflate depends only on its data, its dictionary and the level. The number
//! of workers changes only how many blocks are in flight.
//!
//! Cost of the cuts: each block re-sends its Huffman tables and a 4-byte empty stored block;
//! at 128 KiB (pigz's default) that is well under 0.1% of a binary's archive.
//!
//! Speed (issue 25 §5): a worker takes [`BLOCKS_PER_JOB`] consecutive blocks at once (the
//! job carries the 32 KiB before its first block), deflates them one by one with one
//! compressor it resets between blocks (a reset is a new compressor, without the
//! allocation), and computes their CRC-32, which the writer combines in order: the thread
//! that reads the input only copies it, and a hand-off costs one wake-up per 512 KiB
//! instead of per block. Up to [`JOBS_PER_THREAD`] jobs per worker are in flight, so that a
//! slow block (machine code) does not leave the other workers idle behind it. None of this
//! changes a byte: blocks, dictionaries and flushes are those of one block per job.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Uncompressed bytes per independently deflated block. Fixed: the output depends on it.
pub const BLOCK: usize = 128 << 10;

/// Deflate's window: how far back a match can reach, so all of the dictionary a block needs.
const WINDOW: usize = 32 << 10;

/// Blocks a worker deflates per job. Changes no byte (each block is still deflated on its
/// own), only how often threads hand work over.
const BLOCKS_PER_JOB: usize = 4;

/// Jobs in flight per worker: the reorder window (2 MiB of input per worker).
const JOBS_PER_THREAD: u64 = 4;

struct Job {
    index: u64,
    /// The 32 KiB before the job's first block (less at the start of the input), then the
    /// job's blocks.
    data: Vec<u8>,
    /// Where the job's own bytes start in `data`.
    start: usize,
    /// The job holds the input's last block (the rest, possibly empty, ends the stream).
    last: bool,
}

/// A job deflated: its blocks one after the other, and the CRC-32 of its input.
type Done = (u64, io::Result<(Vec<u8>, Crc)>);

/// A gzip writer that deflates blocks on `threads` worker threads and writes them in order.
pub struct ParallelGz<W: Write> {
    inner: Option<W>,
    /// The job being filled: `WINDOW` bytes of history (less at the start), then input.
    job: Vec<u8>,
    start: usize,
    crc: Crc,
    sent: u64,
    written: u64,
    waiting: BTreeMap<u64, Vec<u8>>,
    crcs: BTreeMap<u64, Crc>,
    max_in_flight: u64,
    jobs: Option<mpsc::Sender<Job>>,
    done: mpsc::Receiver<Done>,
    workers: Vec<JoinHandle<()>>,
}

impl<W: Write> ParallelGz<W> {
    /// Writes the gzip header (no name, no time, OS "unknown": nothing of the host) to
    /// `inner` and starts `threads` workers.
    pub fn new(mut inner: W, level: u32, threads: u32) -> io::Result<Self> {
        let xfl = match level {
            9.. => 2,
            0 | 1 => 4,
            _ => 0,
        };
        inner.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255])?;
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel::<Done>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let threads = threads.max(1);
        let workers = (0..threads)
            .map(|_| {
                let job_rx = Arc::clone(&job_rx);
                let done_tx = done_tx.clone();
                std::thread::spawn(move || {
                    let mut deflate = Compress::new(Compression::new(level), false);
                    loop {
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let out = deflate_job(&mut deflate, &job);
                        if done_tx.send((job.index, out)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        Ok(ParallelGz {
            inner: Some(inner),
            job: Vec::with_capacity(BLOCKS_PER_JOB * BLOCK),
            start: 0,
            crc: Crc::new(),
            sent: 0,
            written: 0,
            waiting: BTreeMap::new(),
            crcs: BTreeMap::new(),
            max_in_flight: JOBS_PER_THREAD * u64::from(threads),
            jobs: Some(jobs),
            done,
            workers,
        })
    }

    /// Compresses what is left, writes the trailer and hands back the writer below.
    pub fn finish(mut self) -> io::Result<W> {
        self.send(true)?;
        while self.written < self.sent {
            self.receive_one()?;
        }
        let mut inner = self.inner.take().expect("finish runs once");
        inner.write_all(&self.crc.sum().to_le_bytes())?;
        inner.write_all(&self.crc.amount().to_le_bytes())?;
        Ok(inner)
    }

    /// Hands the current job to a worker; with `last`, also when it is short or empty.
    fn send(&mut self, last: bool) -> io::Result<()> {
        let history = &self.job[self.job.len().saturating_sub(WINDOW)..];
        let mut next = Vec::with_capacity(if last {
            0
        } else {
            history.len().max(WINDOW) + BLOCKS_PER_JOB * BLOCK
        });
        if !last {
            next.extend_from_slice(history);
        }
        let job = Job {
            index: self.sent,
            start: std::mem::replace(&mut self.start, next.len()),
            data: std::mem::replace(&mut self.job, next),
            last,
        };
        self.jobs
            .as_ref()
            .expect("workers run until finish")
            .send(job)
            .map_err(|_| io::Error::other("a gzip worker thread stopped"))?;
        self.sent += 1;
        while self.sent - self.written >= self.max_in_flight {
            self.receive_one()?;
        }
        Ok(())
    }

    /// Waits for one finished job and writes every job that is now next in order.
    fn receive_one(&mut self) -> io::Result<()> {
        let (index, out) = self
            .done
            .recv()
            .map_err(|_| io::Error::other("a gzip worker thread stopped"))?;
        let (bytes, crc) = out?;
        self.waiting.insert(index, bytes);
        self.crcs.insert(index, crc);
        let inner = self.inner.as_mut().expect("writer present until finish");
        while let Some(bytes) = self.waiting.remove(&self.written) {
            inner.write_all(&bytes)?;
            if let Some(crc) = self.crcs.remove(&self.written) {
                self.crc.combine(&crc);
            }
            self.written += 1;
        }
        Ok(())
    }
}

impl<W: Write> Write for ParallelGz<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let full = self.start + BLOCKS_PER_JOB * BLOCK;
        let n = buf.len().min(full - self.job.len());
        self.job.extend_from_slice(&buf[..n]);
        if self.job.len() == full {
            self.send(false)?;
        }
        Ok(n)
    }

    /// Blocks are cut by size only, so a flush cannot end one early; it does nothing.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for ParallelGz<W> {
    fn drop(&mut self) {
        // Closing the job channel ends the workers once they finish what they hold.
        self.jobs.take();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Deflates a job's blocks in order, each primed with the 32 KiB before it; in a last job,
/// the final block (the input's rest, possibly empty) ends the stream.
fn deflate_job(deflate: &mut Compress, job: &Job) -> io::Result<(Vec<u8>, Crc)> {
    let own = &job.data[job.start..];
    let mut crc = Crc::new();
    crc.update(own);
    let mut out = Vec::with_capacity(own.len() / 2 + 1024);
    let mut at = job.start;
    loop {
        let end = (at + BLOCK).min(job.data.len());
        // A last job ends with a block shorter than BLOCK, empty when the input is a
        // multiple of it; a full job holds full blocks only.
        let last = job.last && end - at < BLOCK;
        deflate.reset();
        let dictionary = &job.data[at.saturating_sub(WINDOW)..at];
        deflate_block(deflate, dictionary, &job.data[at..end], last, &mut out)?;
        if last || (!job.last && end == job.data.len()) {
            return Ok((out, crc));
        }
        at = end;
    }
}

/// Raw deflate of one block, primed with the end of the block before it, appended to `out`.
fn deflate_block(
    c: &mut Compress,
    dictionary: &[u8],
    data: &[u8],
    last: bool,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    if !dictionary.is_empty() {
        c.set_dictionary(dictionary).map_err(io::Error::other)?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&data[consumed..], out, flush)
            .map_err(io::Error::other)?;
        let all_in = c.total_in() as usize == data.len();
        match status {
            Status::StreamEnd => return Ok(()),
            // A sync flush is complete when deflate left room in the output.
            _ if !last && all_in && out.len() < out.capacity() => return Ok(()),
            _ => out.reserve(out.capacity().max(4096)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gz(data: &[u8], threads: u32, write_size: usize) -> Vec<u8> {
        let mut w = ParallelGz::new(Vec::new(), 9, threads).unwrap();
        for chunk in data.chunks(write_size.max(1)) {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// Binary-like test data: runs, repeats from far and near, and noise.
    fn data(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| match (i / 5000) % 4 {
                0 => 0,
                1 => (i % 251) as u8,
                2 => ((i as u32).wrapping_mul(2_654_435_761) >> 24) as u8,
                _ => ((i / 7) as u32).wrapping_mul(40_503) as u8 & 0x1f,
            })
            .collect()
    }

    #[test]
    fn bytes_do_not_depend_on_threads_or_write_sizes_and_read_back() {
        let input = data(5 * BLOCK + 12_345);
        let one = gz(&input, 1, 1 << 20);
        assert_eq!(one, gz(&input, 4, 1 << 20), "1 vs 4 threads");
        assert_eq!(one, gz(&input, 2, 4093), "odd write sizes");
        assert_eq!(gunzip(&one), input);
        // Header: no name, no time, OS unknown; trailer: CRC and length of the input.
        assert_eq!(&one[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let n = one.len();
        assert_eq!(&one[n - 4..], &(input.len() as u32).to_le_bytes());
    }

    /// The format written the plain way: one block after the other on one thread, a new
    /// compressor for each, primed with the 32 KiB before it.
    fn one_block_at_a_time(data: &[u8], level: u32) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255];
        let mut at = 0;
        loop {
            let end = (at + BLOCK).min(data.len());
            let last = end - at < BLOCK;
            let mut c = Compress::new(Compression::new(level), false);
            let dictionary = &data[at.saturating_sub(WINDOW)..at];
            deflate_block(&mut c, dictionary, &data[at..end], last, &mut out).unwrap();
            if last {
                break;
            }
            at = end;
        }
        let mut crc = Crc::new();
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
        out
    }

    /// Jobs of several blocks, a reused compressor and CRCs combined in order write the
    /// bytes of one fresh compressor per block, at every cut around a job's end.
    #[test]
    fn jobs_write_the_bytes_of_one_block_at_a_time() {
        let job = BLOCKS_PER_JOB * BLOCK;
        for len in [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            job - 1,
            job,
            job + 1,
            2 * job,
            2 * job + BLOCK,
            3 * job + 7,
        ] {
            let input = data(len);
            let expected = one_block_at_a_time(&input, 9);
            for (threads, write_size) in [(1, 1 << 20), (2, 4093), (3, BLOCK)] {
                assert!(
                    gz(&input, threads, write_size) == expected,
                    "{len} bytes, {threads} threads, writes of {write_size}"
                );
            }
        }
    }

    #[test]
    fn dictionary_keeps_the_size_of_one_stream() {
        let input = data(8 * BLOCK);
        let ours = gz(&input, 2, 1 << 16).len();
        let mut single = flate2::write::GzEncoder::new(Vec::new(), Compression::new(9));
        single.write_all(&input).unwrap();
        let single = single.finish().unwrap().len();
        // Without the dictionary each cut loses its history; with it, a few bytes per cut.
        assert!(
            ours <= single + 8 * 64,
            "parallel {ours} vs single {single}"
        );
    }

    #[test]
    fn empty_and_exact_multiple_inputs() {
        assert_eq!(gunzip(&gz(&[], 2, 1)), Vec::<u8>::new());
        let input = data(2 * BLOCK);
        assert_eq!(gunzip(&gz(&input, 3, BLOCK)), input);
    }

    /// GNU gzip, an independent reader, accepts the stream and gets the input back.
    #[test]
    fn gnu_gzip_reads_it() {
        if crate::sys::process::which("gzip").is_none() {
            eprintln!("skipped: gzip is not on PATH");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let input = data(3 * BLOCK + 7);
        let path = dir.path().join("x.gz");
        std::fs::write(&path, gz(&input, 2, 1000)).unwrap();
        crate::sys::process::Cmd::new("gzip")
            .arg("-dk")
            .arg(&path)
            .run_checked(None)
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("x")).unwrap(), input);
    }
}
