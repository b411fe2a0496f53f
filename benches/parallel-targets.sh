#!/usr/bin/env bash
# `parallel-targets`: CPU (user+sys of crossdock and every process under it) and wall time of
# a cold `dist` of several targets, three ways:
#   serial     parallel-targets = 1 (one target after the other, one target dir)
#   per-dir    a cargo and a target dir per target, at once (crossdock before build groups;
#              forced here by a file naming CROSSDOCK_TARGET, which keeps one cargo per target)
#   grouped    parallel-targets = N: targets that can share a cargo build with one
#              `cargo build --target A --target B …` (the host's crates once)
# Each run is cold (its own empty CARGO_TARGET_DIR, no compiler cache, no smoke runs, no
# unstripped measure: the builds only). The app is APP (a workspace with a targets.toml-free
# binary package, e.g. a checkout of hyperfine or bat), else a small generated one with
# clap derive + serde derive + serde_json (crates.io, fetched once before timing).
# usage: benches/parallel-targets.sh
#   TARGETS="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu"  (default: host + aarch64 gnu)
#   BENCH_CARGO=/usr/bin/cargo BENCH_RUSTC=/usr/bin/rustc   (a toolchain with every target's std)
#   APP=/path/to/workspace   RUNS=1 (runs per mode; the table shows each run)
#   CROSSDOCK=/path/to/cargo-crossdock (default: a release build of this checkout)
# The figures depend on the machine's load: run it on a quiet machine, or say it was not.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-1}
BENCH_CARGO=${BENCH_CARGO:-cargo}
BENCH_RUSTC=${BENCH_RUSTC:-rustc}
HOST=$("$BENCH_RUSTC" -vV | sed -n 's/^host: //p')
TARGETS=${TARGETS:-"$HOST aarch64-unknown-linux-gnu"}
NTARGETS=$(wc -w <<<"$TARGETS")
cd "$ROOT"
# CROSSDOCK=path uses a crossdock already built (else a release build of this checkout).
if [[ -n "${CROSSDOCK:-}" ]]; then
  CD=$CROSSDOCK
else
  cargo build --release -q -p crossdock
  CD="$ROOT/target/release/cargo-crossdock"
fi
WORK=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR RUSTC_WRAPPER

if [[ -n "${APP:-}" ]]; then
  cp -r "$APP" "$WORK/app"
  rm -rf "$WORK/app/target" "$WORK/app/dist"
else
  mkdir -p "$WORK/app/src"
  cat >"$WORK/app/Cargo.toml" <<'EOF'
[package]
name = "derive-app"
version = "0.1.0"
edition = "2021"

[dependencies]
clap = { version = "4", features = ["derive"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[profile.release]
strip = true
EOF
  cat >"$WORK/app/src/main.rs" <<'EOF'
use clap::Parser;
use serde::{Deserialize, Serialize};

#[derive(Parser, Serialize, Deserialize, Debug)]
struct Args {
    #[arg(long, default_value = "world")]
    name: String,
    #[arg(long, default_value_t = 1)]
    count: u32,
}

fn main() {
    let args = Args::parse();
    println!("{}", serde_json::to_string(&args).unwrap());
}
EOF
fi
cd "$WORK/app"
"$BENCH_CARGO" generate-lockfile -q 2>/dev/null || true
"$BENCH_CARGO" fetch -q

# targets.toml for one mode: `parallel` is the [dist] line.
write_config() {
  {
    echo "[dist]"
    echo "cargo = \"$(command -v "$BENCH_CARGO")\""
    echo "rustc = \"$(command -v "$BENCH_RUSTC")\""
    echo 'cache = "none"'
    echo 'unstripped-size = false'
    echo "$1"
    for t in $TARGETS; do
      echo
      echo "[[target]]"
      echo "triple = \"$t\""
      echo "smoke = false"
      if [[ "$t" != "$HOST" && "$t" == *-linux-gnu ]]; then
        echo "linker = \"${t%%-*}-linux-gnu-gcc\""
      fi
    done
  } >targets.toml
}

# "mode run user+sys wall" for one cold dist.
measure() {
  local mode=$1 run=$2 dir="$WORK/target-$1-$2" out
  /usr/bin/time -o "$WORK/time-$mode-$run" -f "%U %S %e" \
    "$CD" dist --out-dir "$WORK/dist-$mode-$run" >"$WORK/log-$mode-$run" 2>&1 || {
    echo "$mode failed:" >&2
    tail -30 "$WORK/log-$mode-$run" >&2
    exit 1
  }
  out=$(tail -1 "$WORK/time-$mode-$run")
  read -r user sys wall <<<"$out"
  printf "%-9s %3s %9.1f %8.1f\n" "$mode" "$run" "$(awk "BEGIN { print $user + $sys }")" "$wall"
  rm -rf "$dir"
}

echo "parallel-targets, cold dist of $(basename "$(pwd)") ($("$BENCH_RUSTC" --version))"
echo "targets: $TARGETS; $(nproc) CPUs; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-9s %3s %9s %8s\n" mode run "cpu s" "wall s"
for ((r = 1; r <= RUNS; r++)); do
  for mode in serial per-dir grouped; do
    export CARGO_TARGET_DIR="$WORK/target-$mode-$r"
    rm -f build_info_probe.rs
    case $mode in
    serial) write_config "parallel-targets = 1" ;;
    per-dir)
      write_config "parallel-targets = $NTARGETS"
      # A workspace naming CROSSDOCK_TARGET keeps one cargo (and target dir) per target.
      echo '// option_env!("CROSSDOCK_TARGET")' >build_info_probe.rs
      ;;
    grouped) write_config "parallel-targets = $NTARGETS" ;;
    esac
    measure "$mode" "$r"
  done
done
rm -f build_info_probe.rs
# The three modes ship the same bytes.
for mode in per-dir grouped; do
  diff -r "$WORK/dist-serial-1" "$WORK/dist-$mode-1" >/dev/null ||
    echo "warning: $mode's out dir differs from serial's" >&2
done
