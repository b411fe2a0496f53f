#!/usr/bin/env bash
# A no-op `dist` of an app whose binary is big (an 80 MB incompressible payload, so the
# archive is ~80 MB too), side by side in one run with a no-op `cargo build` of the same
# (the plan's own command) and, when BASE is given, a baseline crossdock binary.
# Issue 25 §5's goal: within 20 ms of the no-op cargo build.
# usage: BASE=/path/to/old/cargo-crossdock benches/noop-big.sh   (RUNS=N, default 10)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-10}
cd "$ROOT"
cargo build --release -q -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
WORK=$(mktemp -d /tmp/crossdock-bench-big.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset RUSTFLAGS CARGO_TARGET_DIR
export SOURCE_DATE_EPOCH=1700000000 CROSSDOCK_STATE_DIR="$WORK/state"

now() { date +%s%N; }
# median milliseconds of RUNS runs of a command (after one warm run)
timeit() {
  local i t0 t1
  "$@" >/dev/null 2>&1
  for ((i = 0; i < RUNS; i++)); do
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    echo $(((t1 - t0) / 1000000))
  done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

mkdir -p "$WORK/app/src"
head -c 80000000 /dev/urandom >"$WORK/app/payload.bin"
cat >"$WORK/app/Cargo.toml" <<'EOF'
[package]
name = "big"
version = "1.0.0"
edition = "2021"
license = "MIT"

[workspace]
EOF
cat >"$WORK/app/src/main.rs" <<'EOF'
static PAYLOAD: &[u8] = include_bytes!("../payload.bin");
fn main() {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("big 1.0.0");
    } else {
        println!("{}", PAYLOAD.iter().map(|b| *b as u64).sum::<u64>());
    }
}
EOF
printf '[[target]]\ntriple = "%s"\n' "$(rustc -vV | sed -n 's/^host: //p')" >"$WORK/app/targets.toml"
cd "$WORK/app"
cargo generate-lockfile -q
"$CD" crossdock dist >/dev/null 2>&1
stat -c 'archive: %n %s bytes' dist/*.tar.gz
mapfile -t CARGO_CMD < <("$CD" crossdock dist --dry-run --json | python3 -c 'import json,sys; [print(a) for a in json.load(sys.stdin)["builds"][0]["command"]]')
cargo_ms=$(timeit "${CARGO_CMD[@]}")
ours_ms=$(timeit "$CD" crossdock dist)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS runs"
printf '%-40s %6s ms\n' "cargo build (no-op, the plan's command)" "$cargo_ms"
printf '%-40s %6s ms  (+%s ms over cargo; goal <= 20)\n' "crossdock dist (no-op), this tree" "$ours_ms" "$((ours_ms - cargo_ms))"
if [ -n "${BASE:-}" ]; then
  # The baseline's own state: it proves the archive as it does (its record, its dist/).
  rm -rf dist
  "$BASE" crossdock dist >/dev/null 2>&1
  base_ms=$(timeit "$BASE" crossdock dist)
  printf '%-40s %6s ms  (+%s ms over cargo)\n' "crossdock dist (no-op), BASE" "$base_ms" "$((base_ms - cargo_ms))"
fi
