#!/usr/bin/env bash
# Issue 25 §1: what a release build job pays before its first `cargo build` of the project,
# side by side in one run, on the hello-ws fixture set up by `cargo crossdock init`:
#   before: the job runs `cargo xtask …`, which compiles the xtask first
#           - cold: an empty target/ (no cache saved yet, or a new Cargo.lock)
#           - warm: target/ restored from the cache (cargo checks fingerprints, builds nothing)
#   after:  the plan job's binary, stripped of debug info and handed on as an artifact:
#           copied (standing in for the download, whose network time GitHub adds), made
#           executable, run from PATH
# Each row is `<step> --version` run from the job's checkout; wall seconds.
# The registry must be reachable or already in ~/.cargo (the xtask's dependencies).
# usage: benches/xtask-overhead.sh   (CARGO_BUILD_JOBS=N to pin the cores cargo uses)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
unset RUSTFLAGS CARGO_TARGET_DIR RUSTC_WRAPPER
cargo build -q -p crossdock
CD="$ROOT/target/debug/cargo-crossdock"
WORK=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s%N; }
# wall seconds of a command (output to $WORK/log)
secs() {
  local t0 t1
  t0=$(now)
  "$@" >> "$WORK/log" 2>&1 || { cat "$WORK/log"; exit 1; }
  t1=$(now)
  awk -v n=$((t1 - t0)) 'BEGIN { printf "%.1f", n / 1e9 }'
}

# The job's checkout: the fixture as init sets it up (xtask crate, alias, compressors).
cp -r tests/fixtures/hello-ws "$WORK/ws"
rm -rf "$WORK/ws/target" "$WORK/ws/dist"
cd "$WORK/ws"
"$CD" init --crossdock-path "$ROOT" >> "$WORK/log" 2>&1 || { cat "$WORK/log"; exit 1; }

cold=$(secs cargo xtask --version)
warm=$(secs cargo xtask --version)
# The plan job: the same compile, then the binary is kept (not on a build job's path).
secs cargo build --package xtask --quiet > /dev/null
mkdir -p "$WORK/temp/xtask"
strip --strip-debug -o "$WORK/artifact" target/debug/xtask
chmod 644 "$WORK/artifact" # an artifact keeps no file modes
handoff() {
  cp "$WORK/artifact" "$WORK/temp/xtask/xtask"
  chmod +x "$WORK/temp/xtask/xtask"
  PATH="$WORK/temp/xtask:$PATH" xtask --version
}
after=$(secs handoff)
printf '%-58s %8s\n' "job overhead before the project's first cargo build" seconds
printf '%-58s %8s\n' "before: cargo xtask, cold target/ (xtask compiled)" "$cold"
printf '%-58s %8s\n' "before: cargo xtask, warm target/ (restored cache)" "$warm"
printf '%-58s %8s\n' "after:  plan job's xtask, downloaded (here: copied) and run" "$after"
echo "xtask: $(du -h target/debug/xtask | cut -f1), artifact (strip --strip-debug): $(du -h "$WORK/artifact" | cut -f1)," \
  "gzip -6 (as upload-artifact compresses): $(gzip -6 -c "$WORK/artifact" | wc -c | awk '{ printf "%.1fM", $1 / 1048576 }')"
