#![allow(clippy::disallowed_methods)] // the tests run llvm-lipo itself, as an outside judge
use super::*;
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/macho/");
const X86: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/macho/hello-x86_64"
);
const ARM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/macho/hello-arm64"
);
const FAT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/macho/hello-universal.llvm-lipo"
);
const GIB: u64 = 1 << 30;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("fixture {path}: {e} (see {DIR}make-fixtures.sh)"))
}

/// Byte equality that reports where two large files first differ instead of dumping them.
#[track_caller]
fn assert_same(ours: &[u8], want: &[u8], what: &str) {
    if ours != want {
        let at = ours.iter().zip(want).position(|(a, b)| a != b);
        let (lo, lw) = (ours.len(), want.len());
        panic!("{what}: bytes differ (first at {at:?}; lengths {lo} vs {lw})");
    }
}

fn meta(cputype: u32, size: u64, align: u32) -> SliceMeta {
    SliceMeta {
        cputype,
        cpusubtype: 0,
        size,
        align,
    }
}

/// A synthetic thin Mach-O of `size` bytes: one segment per `(vmaddr, section aligns)`, the
/// first covering the whole file. 64-bit for 64-bit CPU types; big-endian if `be`.
fn synth(cputype: u32, sub: u32, filetype: u32, segs: &[(u64, &[u32])], be: bool) -> Vec<u8> {
    let is64 = cputype & 0x0100_0000 != 0;
    let (u32b, u64b) = (
        |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() },
        |v: u64| if be { v.to_be_bytes() } else { v.to_le_bytes() },
    );
    let mut cmds = Vec::new();
    for (n, (vmaddr, aligns)) in segs.iter().enumerate() {
        let (fileoff, filesize) = if n == 0 { (0, 512) } else { (0, 0) };
        let size = if is64 {
            72 + 80 * aligns.len()
        } else {
            56 + 68 * aligns.len()
        } as u32;
        cmds.extend(u32b(if is64 { LC_SEGMENT_64 } else { LC_SEGMENT }));
        cmds.extend(u32b(size));
        cmds.extend(*b"__SEG\0\0\0\0\0\0\0\0\0\0\0");
        for v in [*vmaddr, 0x1000, fileoff, filesize] {
            cmds.extend(if is64 {
                u64b(v).to_vec()
            } else {
                u32b(v as u32).to_vec()
            });
        }
        for v in [5, 5, aligns.len() as u32, 0] {
            cmds.extend(u32b(v));
        }
        for &a in *aligns {
            let mut sect = vec![0u8; if is64 { 80 } else { 68 }];
            let at = if is64 { 52 } else { 44 };
            sect[at..at + 4].copy_from_slice(&u32b(a));
            cmds.extend(sect);
        }
    }
    let magic = if is64 { 0xfeed_facf } else { 0xfeed_face };
    let mut out = Vec::new();
    for v in [
        magic,
        cputype,
        sub,
        filetype,
        segs.len() as u32,
        cmds.len() as u32,
        0,
    ] {
        out.extend(u32b(v));
    }
    if is64 {
        out.extend([0; 4]);
    }
    out.extend(cmds);
    out.resize(512, 0xab);
    out
}

/// A real thin 64-bit Mach-O made a shared library: `filetype` 6 (`MH_DYLIB`, with the
/// `LC_ID_DYLIB` llvm-lipo requires, written into the zero padding after the load
/// commands) or 8 (`MH_BUNDLE`).
fn with_filetype(mut data: Vec<u8>, filetype: u32) -> Vec<u8> {
    let word = |d: &[u8], at: usize| u32::from_le_bytes(d[at..at + 4].try_into().unwrap());
    let (ncmds, size) = (word(&data, 16), word(&data, 20));
    let mut cmd = Vec::new();
    if filetype == 6 {
        // LC_ID_DYLIB: cmd, cmdsize, name offset, timestamp, current and compatibility version.
        for v in [0xd, 40, 24, 2, 0x1_0000, 0x1_0000] {
            cmd.extend(u32::to_le_bytes(v));
        }
        cmd.extend(*b"libx.dylib\0\0\0\0\0\0");
    }
    let at = 32 + size as usize;
    assert!(
        data[at..at + cmd.len()].iter().all(|&b| b == 0),
        "no room after the load commands"
    );
    data[at..at + cmd.len()].copy_from_slice(&cmd);
    data[12..16].copy_from_slice(&filetype.to_le_bytes());
    let n = if cmd.is_empty() { ncmds } else { ncmds + 1 };
    data[16..20].copy_from_slice(&n.to_le_bytes());
    data[20..24].copy_from_slice(&(size + cmd.len() as u32).to_le_bytes());
    data
}

fn exe(cputype: u32, sub: u32) -> Vec<u8> {
    synth(cputype, sub, 2, &[(0x1000, &[])], false)
}

fn align_of(data: &[u8]) -> u32 {
    parse_thin("t", data, data.len() as u64).unwrap().align
}

/// Whether a live tool can be run; a missing one skips, or fails under CROSSDOCK_REQUIRE_CROSS=1.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        let required = std::env::var("CROSSDOCK_REQUIRE_CROSS").as_deref() == Ok("1");
        assert!(
            !required,
            "{tool} is not on PATH and CROSSDOCK_REQUIRE_CROSS=1"
        );
        eprintln!("skipping live check: {tool} is not on PATH");
    }
    ok
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.success(),
        text + &String::from_utf8_lossy(&out.stderr),
    )
}

fn err_of(inputs: &[&Path]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let e = create_file(inputs, &dir.path().join("out")).unwrap_err();
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "output left behind after an error: {left:?}"
    );
    format!("{e:#}")
}

#[test]
fn matches_checked_in_llvm_lipo_output_in_both_orders() {
    let (x86, arm, want) = (read(X86), read(ARM), read(FAT));
    assert_same(
        &create(&[&x86, &arm]).unwrap(),
        &want,
        "create(x86_64, arm64)",
    );
    assert_same(
        &create(&[&arm, &x86]).unwrap(),
        &want,
        "create(arm64, x86_64)",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hello");
    for inputs in [[X86, ARM], [ARM, X86]] {
        create_file(&inputs.map(Path::new), &out).unwrap();
        let what = format!("create_file({inputs:?})");
        assert_same(&std::fs::read(&out).unwrap(), &want, &what);
    }
    // Windows has no mode bits.
    #[cfg(unix)]
    assert_eq!(
        crate::sys::fs::mode(&out).unwrap() & 0o777,
        0o755,
        "executable inputs make an executable output"
    );
}

#[test]
fn fixture_header_offsets_and_padding() {
    let (x86, arm, fat) = (read(X86), read(ARM), read(FAT));
    assert_eq!(
        (x86.len(), arm.len()),
        (16685, 49752),
        "fixtures were rebuilt: update this test"
    );
    assert_eq!(fat[..8], [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]);
    let want = [
        FatArch {
            cputype: CPU_TYPE_X86_64,
            cpusubtype: 3,
            offset: 4096,
            size: 16685,
            align: 12,
        },
        FatArch {
            cputype: CPU_TYPE_ARM64,
            cpusubtype: 0,
            offset: 32768,
            size: 49752,
            align: 14,
        },
    ];
    assert_eq!(parse_fat(&fat).unwrap(), want);
    assert!(
        fat[48..4096].iter().all(|&b| b == 0),
        "zeros after the header"
    );
    assert!(
        fat[4096 + 16685..32768].iter().all(|&b| b == 0),
        "zeros between slices"
    );
    assert_eq!(fat.len(), 32768 + 49752);
    assert!(is_fat(&fat) && !is_fat(&x86) && !is_fat(b"\xca\xfe\xba\xbe\0\0\0\x34"));
}

#[test]
fn archs_info_and_thin_round_trip() {
    let (x86, arm, fat) = (read(X86), read(ARM), read(FAT));
    assert_eq!(archs(&fat).unwrap(), ["x86_64", "arm64"]);
    assert_eq!(archs(&arm).unwrap(), ["arm64"]);
    assert_eq!(
        info(&fat, "F").unwrap(),
        "Architectures in the fat file: F are: x86_64 arm64"
    );
    assert_eq!(
        info(&x86, "F").unwrap(),
        "Non-fat file: F is architecture: x86_64"
    );
    assert_same(&thin(&fat, "x86_64").unwrap(), &x86, "thin x86_64");
    assert_same(&thin(&fat, "arm64").unwrap(), &arm, "thin arm64");
    let e = thin(&fat, "i386").unwrap_err().to_string();
    assert!(
        e.contains("no `i386` slice") && e.contains("x86_64 arm64"),
        "{e}"
    );
    assert!(thin(&x86, "x86_64")
        .unwrap_err()
        .to_string()
        .contains("must be a universal"));
    assert!(archs(b"\x7fELF\x02\x01\x01").is_err());
    assert!(parse_fat(&fat[..30]).is_err() && parse_fat(&fat[..40000]).is_err());
}

#[test]
fn names_follow_llvm_get_arch_triple() {
    assert_eq!(arch_name(CPU_TYPE_X86_64, 0x8000_0003), "x86_64");
    assert_eq!(arch_name(CPU_TYPE_X86_64, 8), "x86_64h");
    assert_eq!(arch_name(CPU_TYPE_ARM64, 0x8000_0002), "arm64e");
    assert_eq!(arch_name(CPU_TYPE_ARM64_32, 1), "arm64_32");
    assert_eq!(arch_name(CPU_TYPE_ARM, 16), "thumbv7em");
    assert_eq!(arch_name(CPU_TYPE_X86, 3), "i386");
    assert_eq!(arch_name(0x99, 0x8000_0004), "unknown(153,4)");
}

#[test]
fn layout_first_offset_padding_and_alignment_field() {
    let l = layout(&[meta(CPU_TYPE_X86_64, 100, 12)]).unwrap();
    assert_eq!(
        (l.archs[0].offset, l.archs[0].align, l.total_size),
        (4096, 12, 4196)
    );
    assert_eq!(
        layout(&[meta(CPU_TYPE_ARM64, 1, 14)]).unwrap().archs[0].offset,
        16384
    );
    // Two 2^2-aligned slices: header 8 + 2 * 20 = 48, then 48 + 5 rounded up to 4.
    let l = layout(&[meta(0x99, 5, 2), meta(0x98, 7, 2)]).unwrap();
    let offsets: Vec<u64> = l.archs.iter().map(|a| a.offset).collect();
    assert_eq!((offsets, l.total_size, l.fat64), (vec![48, 56], 63, false));
    let h = l.header();
    assert_eq!(h.len(), 48);
    assert_eq!(h[..12], [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2, 0, 0, 0, 0x99]);
    assert_eq!(h[16..28], [0, 0, 0, 48, 0, 0, 0, 5, 0, 0, 0, 2]); // offset, size, align
}

#[test]
fn layout_orders_like_llvm_lipo() {
    let x86 = SliceMeta {
        cpusubtype: 3,
        ..meta(CPU_TYPE_X86_64, 10, 12)
    };
    let x86h = SliceMeta {
        cpusubtype: 8,
        ..x86
    };
    let i386 = SliceMeta {
        cpusubtype: 3,
        ..meta(CPU_TYPE_X86, 10, 12)
    };
    let (arm64, odd) = (meta(CPU_TYPE_ARM64, 10, 14), meta(0x99, 10, 3));
    let arm64e = SliceMeta {
        cpusubtype: 0x8000_0002,
        ..arm64
    };
    let order = |s: &[SliceMeta]| layout(s).unwrap().order;
    // arm64 family last (by subtype); the rest by alignment.
    assert_eq!(order(&[arm64e, arm64, x86, odd]), [3, 2, 1, 0]);
    // Not a strict weak order: x86_64 < x86_64h, yet both tie with i386. llvm-lipo-14 keeps
    // this input order (checked live below); a plain insertion sort would not.
    assert_eq!(order(&[x86h, i386, x86]), [0, 1, 2]);
    assert_eq!(order(&[i386, x86h, x86]), [0, 2, 1]);
    assert_eq!(order(&[x86h, i386, x86, arm64]), [2, 0, 1, 3]);
}

#[test]
fn libstdcxx_sort_is_a_stable_sort_for_strict_orders() {
    for n in [0, 1, 2, 3, 7, 8, 15, 29, 64, 100] {
        let mut v: Vec<(u32, usize)> = (0..n).map(|i| ((i as u32 * 7919) % 5, i)).collect();
        let mut want = v.clone();
        want.sort_by_key(|p| p.0);
        libstdcxx_stable_sort(&mut v, &|a: &(u32, usize), b: &(u32, usize)| a.0 < b.0);
        assert_eq!(v, want, "n = {n}");
    }
}

#[test]
fn layout_switches_to_fat_arch_64_past_4_gib() {
    let l = layout(&[
        meta(CPU_TYPE_ARM64, 1024, 14),
        meta(CPU_TYPE_X86_64, 5 * GIB, 12),
    ])
    .unwrap();
    assert!(l.fat64);
    assert_eq!(l.order, [1, 0]);
    assert_eq!(l.header_len(), 8 + 2 * 32);
    assert_eq!(
        (l.archs[0].offset, l.archs[1].offset),
        (4096, 5 * GIB + 16384)
    );
    assert_eq!(l.total_size, 5 * GIB + 16384 + 1024);
    let h = l.header();
    assert_eq!(
        (h.len(), &h[..8]),
        (72, &[0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 2][..])
    );
    assert_eq!(
        h[8 + 8..8 + 32],
        [0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0]
    );
    // Offset boundary: 2^32 - 4 still fits fat_arch, 2^32 does not.
    let two = |first: u64| layout(&[meta(0x99, first, 2), meta(0x98, 1, 2)]).unwrap();
    let fits = two((1 << 32) - 4 - 48);
    assert_eq!((fits.fat64, fits.archs[1].offset), (false, (1 << 32) - 4));
    let wide = two((1 << 32) - 48);
    assert_eq!(
        (wide.fat64, wide.archs[0].offset, wide.archs[1].offset),
        (true, 72, (1 << 32) + 24)
    );
    // Size boundary: a u32::MAX-byte slice fits, one byte more does not.
    assert!(!layout(&[meta(0x99, u32::MAX.into(), 2)]).unwrap().fat64);
    assert!(layout(&[meta(0x99, 1 << 32, 2)]).unwrap().fat64);
    assert!(layout(&[meta(0x99, u64::MAX, 2), meta(0x98, 1, 2)]).is_err());
    assert!(layout(&[]).is_err());
}

#[test]
fn alignment_rules_of_calculate_alignment() {
    assert_eq!(align_of(&exe(CPU_TYPE_X86_64, 3)), 12);
    assert_eq!(
        align_of(&synth(CPU_TYPE_X86, 3, 2, &[(0x10, &[])], false)),
        12
    );
    assert_eq!(align_of(&exe(CPU_TYPE_ARM, 9)), 14);
    assert_eq!(align_of(&exe(CPU_TYPE_ARM64_32, 1)), 14);
    assert_eq!(
        align_of(&synth(CPU_TYPE_POWERPC, 0, 2, &[(0x10, &[])], true)),
        12
    );
    // Other CPUs: the minimum over segments of trailing zeros of vmaddr (0 = no limit) ...
    let exe_at = |segs: &[(u64, &[u32])]| align_of(&synth(0x0100_0099, 0, 2, segs, false));
    assert_eq!(exe_at(&[(0, &[]), (0x4000, &[]), (0x1100, &[])]), 8);
    assert_eq!(exe_at(&[(0, &[])]), 15);
    assert_eq!(exe_at(&[(1 << 40, &[])]), 15);
    assert_eq!(exe_at(&[(0x2, &[])]), 2);
    assert_eq!(
        align_of(&synth(0x99, 0, 2, &[(0x2000_0000, &[])], false)),
        15
    );
    assert_eq!(align_of(&synth(0x99, 0, 2, &[(0x20, &[])], true)), 5);
    // ... and for object files the largest section alignment, at least 2^2.
    let obj = |segs: &[(u64, &[u32])]| align_of(&synth(0x0100_0099, 0, MH_OBJECT, segs, false));
    assert_eq!(obj(&[(0, &[3, 5, 1])]), 5);
    assert_eq!(obj(&[(0, &[0])]), 2);
    assert_eq!(obj(&[(0, &[])]), 15);
    assert_eq!(obj(&[(0, &[9]), (0, &[4])]), 4);
}

#[test]
fn bad_inputs_are_refused_without_leaving_output() {
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &str, data: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    };
    let x86 = read(X86);
    let elf = std::fs::read("/bin/true").unwrap_or_else(|_| b"\x7fELF\x02\x01\x01\0".repeat(8));
    let elf = put("tool.elf", &elf);
    let e = err_of(&[Path::new(X86), &elf]);
    assert!(
        e.contains("tool.elf is an ELF file, not a thin Mach-O"),
        "{e}"
    );
    let e = err_of(&[Path::new(FAT), Path::new(ARM)]);
    assert!(
        e.contains("hello-universal.llvm-lipo is already a universal binary"),
        "{e}"
    );
    let copy = put("copy-of-x86_64", &x86);
    let e = err_of(&[Path::new(X86), Path::new(ARM), &copy]);
    assert!(
        e.contains("hello-x86_64 and ")
            && e.contains("copy-of-x86_64 have the same architecture x86_64"),
        "{e}"
    );
    for cut in [8000, 100, 20] {
        let short = put("short", &x86[..cut]);
        let e = err_of(&[&short, Path::new(ARM)]);
        assert!(e.contains("short is truncated"), "cut at {cut}: {e}");
    }
    let e = err_of(&[Path::new(ARM), &dir.path().join("missing")]);
    assert!(e.contains("cannot read") && e.contains("missing"), "{e}");
    let e = err_of(&[&put("text", b"#!/bin/sh\n")]);
    assert!(e.contains("text is not a Mach-O file"), "{e}");
    let e = format!(
        "{:#}",
        create(&[&x86, b"\x7fELF\x02\x01\x01\0"]).unwrap_err()
    );
    assert!(e.contains("input #2 is an ELF file"), "{e}");
    let e = format!("{:#}", create(&[&x86, &x86]).unwrap_err());
    assert!(
        e.contains("input #1 and input #2 have the same architecture x86_64"),
        "{e}"
    );
    assert!(create(&[&x86[..x86.len() - 1]])
        .unwrap_err()
        .to_string()
        .contains("truncated"));
    assert!(create(&[]).is_err());
}

#[test]
fn live_llvm_lipo_agrees() {
    if !have("llvm-lipo-14") || !have("llvm-objdump-14") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ours");
    let out_s = out.to_str().unwrap();
    create_file(&[Path::new(ARM), Path::new(X86)], &out).unwrap();
    let ours = std::fs::read(&out).unwrap();
    let (ok, text) = run(&["llvm-lipo-14", "-info", out_s]);
    assert!(
        ok && text.trim_end() == info(&ours, out_s).unwrap(),
        "{text}"
    );
    assert!(run(&["llvm-lipo-14", out_s, "-verify_arch", "x86_64", "arm64"]).0);
    assert!(!run(&["llvm-lipo-14", out_s, "-verify_arch", "x86_64", "i386"]).0);
    let (ok, dump) = run(&["llvm-objdump-14", "--macho", "--universal-headers", out_s]);
    let fields: Vec<&str> = dump
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("offset") || l.starts_with("align"))
        .collect();
    assert!(
        ok && dump.contains("fat_magic FAT_MAGIC\nnfat_arch 2"),
        "{dump}"
    );
    assert_eq!(
        fields,
        [
            "offset 4096",
            "align 2^12 (4096)",
            "offset 32768",
            "align 2^14 (16384)"
        ]
    );
    let theirs = dir.path().join("theirs");
    run(&[
        "llvm-lipo-14",
        out_s,
        "-thin",
        "arm64",
        "-output",
        theirs.to_str().unwrap(),
    ]);
    assert_same(
        &std::fs::read(&theirs).unwrap(),
        &read(ARM),
        "llvm-lipo-14 -thin arm64",
    );
    // The checked-in expectation is still what this llvm-lipo writes.
    run(&[
        "llvm-lipo-14",
        "-create",
        "-output",
        theirs.to_str().unwrap(),
        X86,
        ARM,
    ]);
    assert_same(
        &std::fs::read(&theirs).unwrap(),
        &read(FAT),
        "live llvm-lipo-14 vs fixture",
    );
}

#[test]
fn live_llvm_lipo_same_bytes_for_many_inputs() {
    if !have("llvm-lipo-14") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let arm64e = synth(CPU_TYPE_ARM64, 0x8000_0002, 2, &[(0x1000, &[])], false);
    let sets: Vec<Vec<(&str, Vec<u8>)>> = vec![
        vec![("x86_64", read(X86)), ("arm64", read(ARM))],
        vec![
            ("x86_64h", exe(CPU_TYPE_X86_64, 8)),
            ("i386", exe(CPU_TYPE_X86, 3)),
            ("x86_64", exe(CPU_TYPE_X86_64, 3)),
            ("arm64", exe(CPU_TYPE_ARM64, 0)),
        ],
        vec![
            ("armv7", exe(CPU_TYPE_ARM, 9)),
            ("armv7s", exe(CPU_TYPE_ARM, 11)),
            ("arm64_32", exe(CPU_TYPE_ARM64_32, 1)),
            ("arm64e", arm64e),
            ("arm64", exe(CPU_TYPE_ARM64, 0)),
        ],
        vec![
            ("odd256", synth(0x99, 0, 2, &[(0x100, &[])], false)),
            (
                "odd16k",
                synth(0x0100_0098, 0, 2, &[(0, &[]), (0x4000, &[])], false),
            ),
            (
                "obj",
                synth(0x0100_0097, 0, MH_OBJECT, &[(0, &[3, 4])], false),
            ),
            ("ppc", synth(CPU_TYPE_POWERPC, 0, 2, &[(0x1000, &[])], true)),
            ("i386", exe(CPU_TYPE_X86, 3)),
        ],
        // Shared libraries (issue 22): the real slices as MH_DYLIB and MH_BUNDLE.
        vec![
            ("x86_64.dylib", with_filetype(read(X86), 6)),
            ("arm64.dylib", with_filetype(read(ARM), 6)),
        ],
        vec![
            ("x86_64.bundle", with_filetype(read(X86), 8)),
            ("arm64.bundle", with_filetype(read(ARM), 8)),
        ],
    ];
    let mut runs = 0;
    for set in &sets {
        let paths: Vec<_> = set
            .iter()
            .map(|(name, data)| {
                let p = dir.path().join(name);
                std::fs::write(&p, data).unwrap();
                p
            })
            .collect();
        let n = paths.len();
        // Every rotation of the input order, forwards and backwards.
        for rot in 0..n {
            for rev in [false, true] {
                let mut order: Vec<&Path> =
                    (0..n).map(|i| paths[(i + rot) % n].as_path()).collect();
                if rev {
                    order.reverse();
                }
                let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
                create_file(&order, &ours).unwrap();
                let mut args = vec![
                    "llvm-lipo-14",
                    "-create",
                    "-output",
                    theirs.to_str().unwrap(),
                ];
                args.extend(order.iter().map(|p| p.to_str().unwrap()));
                let (ok, text) = run(&args);
                assert!(ok, "llvm-lipo-14 failed: {text}");
                let (ours, theirs) = (
                    std::fs::read(&ours).unwrap(),
                    std::fs::read(&theirs).unwrap(),
                );
                let what = format!(
                    "inputs {order:?}: ours {:?}, llvm-lipo-14 {:?}",
                    archs(&ours),
                    archs(&theirs)
                );
                assert_same(&ours, &theirs, &what);
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 2 * (2 + 4 + 5 + 5 + 2 + 2));
}
