#!/usr/bin/env bash
# Benchmark: crossdock's builtin universal (fat) Mach-O writer vs llvm-lipo-14.
#
# Makes two thin Mach-O executables of about $SIZE_MB MB each (x86_64 and arm64), then times
#   cargo-crossdock lipo create A B -o OUT
#   llvm-lipo-14 -create -output OUT2 A B
# in one run (hyperfine when installed, else a `date +%s%N` loop), checks with cmp that both
# wrote the same bytes, and prints the figures side by side.
#
# The slices are real executables built with `zig cc` (a 50 MB initialised array in __DATA);
# without zig, python3 writes minimal valid Mach-O files of the same size (one segment covering
# the file), which llvm-lipo accepts too.
#
# Environment:
#   CROSSDOCK  the cargo-crossdock binary (default: target/release/cargo-crossdock)
#   LIPO       llvm-lipo binary (default: llvm-lipo-14)
#   ZIG        zig binary (default: zig on PATH, else /opt/crossdock-cross/zig/ziglang/zig)
#   SIZE_MB    size of each slice in MB (default: 50)
#   RUNS       timed runs per tool (default: 10)
#   HYPERFINE  set to "none" to use the shell loop even when hyperfine is installed
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CROSSDOCK=${CROSSDOCK:-$ROOT/target/release/cargo-crossdock}
LIPO=${LIPO:-llvm-lipo-14}
ZIG=${ZIG:-$(command -v zig || echo /opt/crossdock-cross/zig/ziglang/zig)}
SIZE_MB=${SIZE_MB:-50}
RUNS=${RUNS:-10}
HYPERFINE=${HYPERFINE:-$(command -v hyperfine || echo none)}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crossdock-fat-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
A=$WORK/big-x86_64
B=$WORK/big-arm64
OUT=$WORK/out.crossdock
OUT2=$WORK/out.llvm-lipo

if ! command -v "$LIPO" >/dev/null 2>&1; then
    echo "fat.sh: $LIPO is not installed (apt-get install llvm-14); nothing to compare against" >&2
    exit 1
fi

have_crossdock=yes
if [[ ! -x $CROSSDOCK ]]; then
    have_crossdock=no
elif ! "$CROSSDOCK" lipo create --help >/dev/null 2>&1; then
    have_crossdock=no
fi

# --- the inputs ------------------------------------------------------------------------------
make_with_zig() {
    cat >"$WORK/big.c" <<EOF
#include <stdio.h>
/* One initialised ${SIZE_MB} MB array: it lands in __DATA, so the file is that large. */
static volatile unsigned char big[${SIZE_MB}u * 1024u * 1024u] = {1};
int main(void) {
    printf("%d\n", big[12345]);
    return 0;
}
EOF
    "$ZIG" cc -target x86_64-macos -O2 -o "$A" "$WORK/big.c"
    "$ZIG" cc -target aarch64-macos -O2 -o "$B" "$WORK/big.c"
}

make_with_python() {
    python3 - "$A" "$B" "$SIZE_MB" <<'EOF'
import os, struct, sys
a, b, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = mb * 1024 * 1024
for path, cputype, sub in ((a, 0x01000007, 3), (b, 0x0100000C, 0)):
    seg = struct.pack('<II16sQQQQiiII', 0x19, 72, b'__TEXT', 0x100000000, size, 0, size, 5, 5, 0, 0)
    hdr = struct.pack('<IIIIIIII', 0xFEEDFACF, cputype, sub, 2, 1, len(seg), 0, 0)
    with open(path, 'wb') as f:
        f.write(hdr + seg)
        f.write(os.urandom(size - len(hdr) - len(seg)))
EOF
}

if [[ -x $ZIG ]]; then
    echo "building two ${SIZE_MB} MB slices with $ZIG cc ..."
    make_with_zig
elif command -v python3 >/dev/null 2>&1; then
    echo "zig not found: writing two ${SIZE_MB} MB synthetic Mach-O slices with python3 ..."
    make_with_python
else
    echo "fat.sh: needs zig (ZIG=...) or python3 to make the input slices" >&2
    exit 1
fi
"$LIPO" -info "$A" "$B"
ls -l "$A" "$B"

if [[ $have_crossdock == no ]]; then
    cat <<EOF

$CROSSDOCK is not built (or has no \`lipo create\` subcommand yet). Build it with
    cargo build --release -p crossdock        # from $ROOT
or point CROSSDOCK=/path/to/cargo-crossdock at one, then run this script again.
Timing llvm-lipo alone meanwhile:
EOF
fi

# --- timing ----------------------------------------------------------------------------------
cmd_crossdock="'$CROSSDOCK' lipo create '$A' '$B' -o '$OUT'"
cmd_lipo="'$LIPO' -create -output '$OUT2' '$A' '$B'"

# Mean, min and max in ms of RUNS runs of a shell command, after one warm-up run.
loop_time() {
    local cmd=$1 i start end us sum=0 min='' max=0
    eval "$cmd"
    for ((i = 0; i < RUNS; i++)); do
        start=$(date +%s%N)
        eval "$cmd"
        end=$(date +%s%N)
        us=$(((end - start) / 1000))
        sum=$((sum + us))
        if [[ -z $min || $us -lt $min ]]; then min=$us; fi
        if [[ $us -gt $max ]]; then max=$us; fi
    done
    printf '%d.%03d %d.%03d %d.%03d\n' $((sum / RUNS / 1000)) $((sum / RUNS % 1000)) \
        $((min / 1000)) $((min % 1000)) $((max / 1000)) $((max % 1000))
}

declare -A mean lo hi
if [[ $HYPERFINE != none ]]; then
    args=(--warmup 2 --runs "$RUNS" --export-json "$WORK/times.json")
    [[ $have_crossdock == yes ]] && args+=(-n crossdock "$cmd_crossdock")
    args+=(-n llvm-lipo-14 "$cmd_lipo")
    "$HYPERFINE" "${args[@]}"
    while read -r name m l h; do
        mean[$name]=$m lo[$name]=$l hi[$name]=$h
    done < <(jq -r '.results[] | "\(.command) \(.mean*1000) \(.min*1000) \(.max*1000)"' "$WORK/times.json" 2>/dev/null ||
        python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["mean"]*1000, r["min"]*1000, r["max"]*1000)' "$WORK/times.json")
else
    echo "timing $RUNS runs each with date +%s%N (install hyperfine for better statistics) ..."
    if [[ $have_crossdock == yes ]]; then
        read -r mean[crossdock] lo[crossdock] hi[crossdock] < <(loop_time "$cmd_crossdock")
    fi
    read -r mean[llvm-lipo-14] lo[llvm-lipo-14] hi[llvm-lipo-14] < <(loop_time "$cmd_lipo")
fi

# --- report ----------------------------------------------------------------------------------
echo
printf '%-14s %12s %12s %12s\n' tool 'mean (ms)' 'min (ms)' 'max (ms)'
for name in crossdock llvm-lipo-14; do
    [[ -n ${mean[$name]:-} ]] || continue
    printf '%-14s %12.1f %12.1f %12.1f\n' "$name" "${mean[$name]}" "${lo[$name]}" "${hi[$name]}"
done
echo "output size: $(stat -c %s "$OUT2") bytes (two slices of $(stat -c %s "$A") and $(stat -c %s "$B"))"

if [[ $have_crossdock == yes ]]; then
    if cmp "$OUT" "$OUT2"; then
        echo "outputs are byte-identical"
    else
        echo "fat.sh: crossdock and llvm-lipo-14 wrote different bytes" >&2
        exit 1
    fi
fi
