//! The code signature of a thin 64-bit Mach-O file (`LC_CODE_SIGNATURE`). Apple Silicon
//! kills an arm64 binary at launch when its signature is missing or does not match its
//! bytes (an ad-hoc signature is enough), so the binary check reads it: the SuperBlob, its
//! CodeDirectory, and the SHA-256 hash of every page up to the signature. The same logic as
//! `.ci/macho_check.py`, plus bounds checks and the slot count. Pure over bytes.

use sha2::{Digest, Sha256};

const MH_MAGIC_64: u32 = 0xfeed_facf;
const LC_CODE_SIGNATURE: u32 = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE: u32 = 0xfade_0cc0;
const CSMAGIC_CODEDIRECTORY: u32 = 0xfade_0c02;
const CSSLOT_CODEDIRECTORY: u32 = 0;
/// `CSSLOT_ALTERNATE_CODEDIRECTORIES` and the four after it.
const CSSLOT_ALTERNATES: std::ops::RangeInclusive<u32> = 0x1000..=0x1004;
const CS_HASHTYPE_SHA256: u8 = 2;
const CS_HASHTYPE_SHA256_TRUNCATED: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No `LC_CODE_SIGNATURE` load command.
    Unsigned,
    /// A CodeDirectory whose hash of every page matches the file.
    Valid { pages: u32 },
    /// Present but unusable; says why.
    Broken(String),
}

fn le32(d: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        d.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be32(d: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        d.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Reads the signature of a thin little-endian 64-bit Mach-O file.
pub fn check(data: &[u8]) -> Signature {
    match read(data) {
        Ok(s) => s,
        Err(why) => Signature::Broken(why),
    }
}

fn read(m: &[u8]) -> Result<Signature, String> {
    let short = |what: &str| format!("the file ends inside {what} (truncated?)");
    if le32(m, 0) != Some(MH_MAGIC_64) {
        return Err("not a thin 64-bit little-endian Mach-O file".into());
    }
    let ncmds = le32(m, 16).ok_or_else(|| short("the Mach-O header"))?;
    let mut off = 32usize;
    let mut sig = None;
    for _ in 0..ncmds {
        let cmd = le32(m, off).ok_or_else(|| short("the load commands"))?;
        let size = le32(m, off + 4).ok_or_else(|| short("the load commands"))? as usize;
        if size < 8 {
            return Err(format!("load command at offset {off} has size {size}"));
        }
        if cmd == LC_CODE_SIGNATURE {
            let dataoff = le32(m, off + 8).ok_or_else(|| short("LC_CODE_SIGNATURE"))?;
            let datasize = le32(m, off + 12).ok_or_else(|| short("LC_CODE_SIGNATURE"))?;
            sig = Some((dataoff as usize, datasize as usize));
        }
        off += size;
    }
    let Some((dataoff, datasize)) = sig else {
        return Ok(Signature::Unsigned);
    };
    let end = dataoff.saturating_add(datasize);
    if end > m.len() {
        return Err(format!(
            "the signature (bytes {dataoff}..{end}) lies past the end of the file ({} bytes): truncated",
            m.len()
        ));
    }
    let blob = &m[dataoff..end];
    let magic = be32(blob, 0).ok_or_else(|| short("the signature"))?;
    if magic != CSMAGIC_EMBEDDED_SIGNATURE {
        return Err(format!(
            "no SuperBlob at offset {dataoff} (magic {magic:#010x}, expected {CSMAGIC_EMBEDDED_SIGNATURE:#010x})"
        ));
    }
    let count = be32(blob, 8).ok_or_else(|| short("the SuperBlob"))?;
    let mut unverifiable = Vec::new();
    for i in 0..count as usize {
        let typ = be32(blob, 12 + 8 * i).ok_or_else(|| short("the SuperBlob index"))?;
        let boff = be32(blob, 16 + 8 * i).ok_or_else(|| short("the SuperBlob index"))? as usize;
        if typ != CSSLOT_CODEDIRECTORY && !CSSLOT_ALTERNATES.contains(&typ) {
            continue;
        }
        if be32(blob, boff) != Some(CSMAGIC_CODEDIRECTORY) {
            return Err(format!("slot {typ:#x} holds no CodeDirectory"));
        }
        let cd = &blob[boff..];
        let field = |o: usize| be32(cd, o).ok_or_else(|| short("the CodeDirectory"));
        let hash_offset = field(16)? as usize;
        let ncode = field(28)?;
        let limit = field(32)? as usize;
        let [hsize, htype, _platform, pshift] = field(36)?.to_be_bytes();
        if htype != CS_HASHTYPE_SHA256 && htype != CS_HASHTYPE_SHA256_TRUNCATED {
            unverifiable.push(htype);
            continue;
        }
        let hsize = usize::from(hsize);
        if hsize == 0 || hsize > 32 {
            return Err(format!("CodeDirectory hash size {hsize}"));
        }
        if limit != dataoff {
            return Err(format!(
                "the CodeDirectory covers {limit} bytes, but the signature starts at {dataoff}"
            ));
        }
        // Page size 2^pshift; 0 means one hash over everything.
        let page = match pshift {
            0 => limit.max(1),
            1..=30 => 1usize << pshift,
            _ => return Err(format!("CodeDirectory page shift {pshift}")),
        };
        let pages = limit.div_ceil(page);
        if ncode as usize != pages {
            return Err(format!(
                "the CodeDirectory has {ncode} page hashes for {pages} pages of {page} bytes"
            ));
        }
        for p in 0..pages {
            let at = hash_offset + p * hsize;
            let want = cd
                .get(at..at + hsize)
                .ok_or_else(|| short("the CodeDirectory's hashes"))?;
            let got = Sha256::digest(&m[p * page..((p + 1) * page).min(limit)]);
            if want != &got[..hsize] {
                return Err(format!(
                    "page {p} (bytes {}..{}) does not match its hash: the file changed after it was signed",
                    p * page,
                    ((p + 1) * page).min(limit)
                ));
            }
        }
        return Ok(Signature::Valid {
            pages: pages as u32,
        });
    }
    if unverifiable.is_empty() {
        Err("the SuperBlob has no CodeDirectory".into())
    } else {
        Err(format!(
            "no SHA-256 CodeDirectory (hash types {unverifiable:?}; arm64 macOS needs SHA-256)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/macho")
            .join(name);
        std::fs::read(p).unwrap()
    }

    /// (offset of the LC_CODE_SIGNATURE command, dataoff).
    fn signature_command(m: &[u8]) -> (usize, usize) {
        let mut off = 32;
        for _ in 0..le32(m, 16).unwrap() {
            if le32(m, off) == Some(LC_CODE_SIGNATURE) {
                return (off, le32(m, off + 8).unwrap() as usize);
            }
            off += le32(m, off + 4).unwrap() as usize;
        }
        panic!("no LC_CODE_SIGNATURE");
    }

    #[test]
    fn zig_signed_arm64_fixture_is_valid() {
        // 49,504 bytes before the signature in 16 KiB pages (the checker says the same).
        assert_eq!(
            check(&fixture("hello-arm64")),
            Signature::Valid { pages: 4 }
        );
    }

    #[test]
    fn x86_64_fixture_is_unsigned() {
        assert_eq!(check(&fixture("hello-x86_64")), Signature::Unsigned);
    }

    #[test]
    fn a_flipped_text_byte_is_a_page_mismatch() {
        use object::{Object, ObjectSection};
        let mut m = fixture("hello-arm64");
        let text = object::File::parse(&*m)
            .unwrap()
            .section_by_name("__text")
            .unwrap()
            .file_range()
            .unwrap()
            .0 as usize;
        m[text + 4] ^= 0x01;
        let Signature::Broken(why) = check(&m) else {
            panic!("accepted a changed text section");
        };
        assert!(
            why.contains("page 0 ") && why.contains("changed after"),
            "{why}"
        );
    }

    #[test]
    fn a_changed_hash_slot_is_a_mismatch() {
        let mut m = fixture("hello-arm64");
        let (_, dataoff) = signature_command(&m);
        assert_eq!(be32(&m, dataoff + 12), Some(CSSLOT_CODEDIRECTORY));
        let cd = dataoff + be32(&m, dataoff + 16).unwrap() as usize;
        let last_slot = cd + be32(&m, cd + 16).unwrap() as usize + 3 * 32;
        m[last_slot + 31] ^= 0x01;
        let Signature::Broken(why) = check(&m) else {
            panic!("accepted a changed page hash");
        };
        assert!(why.contains("page 3 "), "{why}");
    }

    #[test]
    fn truncated_signature_is_broken() {
        let m = fixture("hello-arm64");
        let (_, dataoff) = signature_command(&m);
        for cut in [m.len() - 1, dataoff + 100, dataoff + 4, dataoff] {
            let Signature::Broken(why) = check(&m[..cut]) else {
                panic!("accepted a file cut at {cut}");
            };
            assert!(why.contains("truncated"), "cut at {cut}: {why}");
        }
    }

    #[test]
    fn removed_signature_is_unsigned_and_a_bad_magic_is_broken() {
        let m = fixture("hello-arm64");
        let (cmd, dataoff) = signature_command(&m);
        // What `codesign --remove-signature` leaves: no load command, no blob.
        let mut removed = m[..dataoff].to_vec();
        let ncmds = le32(&removed, 16).unwrap();
        let sizeofcmds = le32(&removed, 20).unwrap();
        removed.drain(cmd..cmd + 16);
        removed.splice(cmd..cmd, [0u8; 16]);
        // The command is the last one here; a hole of zeros after the others is padding.
        removed[16..20].copy_from_slice(&(ncmds - 1).to_le_bytes());
        removed[20..24].copy_from_slice(&(sizeofcmds - 16).to_le_bytes());
        assert_eq!(
            cmd + 16,
            32 + sizeofcmds as usize,
            "LC_CODE_SIGNATURE is last"
        );
        assert_eq!(check(&removed), Signature::Unsigned);

        let mut bad = m.clone();
        bad[dataoff] ^= 0xff;
        let Signature::Broken(why) = check(&bad) else {
            panic!("accepted a bad SuperBlob magic");
        };
        assert!(why.contains("no SuperBlob"), "{why}");
    }
}
