#!/usr/bin/env bash
# Issue 25 §1: how fast a release job's engine packages a 50 MB binary, by how it was built,
# side by side in one run on the same input (the first 50 MB of benches/big-input.sh's):
#   (a) the xtask as the workspaces `init` sets up build it: dev profile, with the
#       `[profile.dev.package.*] opt-level = 3` tables init writes (what `cargo xtask` and
#       the release workflow's plan job build)
#   (b) the same xtask without those tables (the "before")
#   (c) crossdock built in the release profile (a prebuilt crossdock)
# Each row is `ENGINE archive OUT big` (tar + compression + SHA-256 of the archive, streamed,
# as `dist` writes each archive), best wall time of RUNS runs (RUNS_BEFORE for (b), which is
# minutes per format), and the check that the three engines write the same bytes.
# FORMATS="tar.gz tar.xz zip" picks formats (tar.zst too, if wanted). On a shared machine,
# wall times move by 10-20% with the load: run it alone, or keep the engines (KEEP=DIR copies
# them there) and compare CPU times (`/usr/bin/time ENGINE archive OUT FILE`) as
# docs/speed.md does.
# The registry must be reachable or already in ~/.cargo (the xtask's dependencies).
# usage: benches/package-engine.sh   (CARGO_BUILD_JOBS=N to pin the cores cargo uses)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
RUNS_BEFORE=${RUNS_BEFORE:-1}
FORMATS=${FORMATS:-tar.gz tar.xz zip}
cd "$ROOT"
unset RUSTFLAGS CARGO_TARGET_DIR RUSTC_WRAPPER
WORK=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
log() { "$@" >> "$WORK/log" 2>&1 || { cat "$WORK/log"; exit 1; }; }

# (c), also the cargo-crossdock that runs init.
log cargo build --release -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
mkdir -p "$WORK/engines"
cp "$CD" "$WORK/engines/c-release"

# (a) and (b): the hello-ws fixture as init sets it up, its xtask built with and without
# init's profile tables (the second build recompiles only those crates and their dependents).
cp -r tests/fixtures/hello-ws "$WORK/ws"
rm -rf "$WORK/ws/target" "$WORK/ws/dist"
cd "$WORK/ws"
log "$CD" init --crossdock-path "$ROOT"
grep -q '^\[profile\.dev\.package\.' Cargo.toml || { echo "init wrote no [profile.dev.package.*] table"; exit 1; }
overrides=$(grep '^\[profile\.dev\.package\.' Cargo.toml | sed 's/^\[profile\.dev\.package\.\(.*\)\]$/\1/' | tr '\n' ' ')
log cargo build --package xtask
cp target/debug/xtask "$WORK/engines/a-init"
cp Cargo.toml "$WORK/Cargo.toml.init"
sed -i '/^\[profile\.dev\.package\./,+1d' Cargo.toml
! grep -q 'profile\.dev\.package' Cargo.toml || { echo "the override tables are still in Cargo.toml"; exit 1; }
log cargo build --package xtask
cp target/debug/xtask "$WORK/engines/b-plain-dev"
cd "$WORK"
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp engines/* "$KEEP/"; fi

. "$ROOT/benches/big-input.sh"
big_input "$WORK/big" 52428800

echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: 50 MB binary-like file; init's dev overrides: $overrides"
# best wall seconds of `ENGINE archive OUT big` over N runs
best() {
  local engine=$1 out=$2 n=$3 b="" i t0 t1 s
  for ((i = 0; i < n; i++)); do
    rm -f "$out"
    t0=$(date +%s%N)
    "$engine" archive "$out" big > /dev/null
    t1=$(date +%s%N)
    s=$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f", n / 1e9 }')
    if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$s; fi
  done
  echo "$b"
}
printf '%-8s %12s %12s %12s %9s\n' format "(a) init" "(b) no-ovr" "(c) release" "(a)/(c)"
for fmt in $FORMATS; do
  mkdir -p a b c
  ta=$(best "$WORK/engines/a-init" "a/big.$fmt" "$RUNS")
  tb=$(best "$WORK/engines/b-plain-dev" "b/big.$fmt" "$RUNS_BEFORE")
  tc=$(best "$WORK/engines/c-release" "c/big.$fmt" "$RUNS")
  if ! cmp -s "a/big.$fmt" "c/big.$fmt" || ! cmp -s "b/big.$fmt" "c/big.$fmt"; then
    echo "$fmt: the engines wrote different bytes"
    exit 1
  fi
  printf '%-8s %11ss %11ss %11ss %9s\n' "$fmt" "$ta" "$tb" "$tc" \
    "$(awk -v a="$ta" -v c="$tc" 'BEGIN { printf "%.2f", a / c }')"
done
echo "same bytes from the three engines; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
