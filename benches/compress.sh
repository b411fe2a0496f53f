#!/usr/bin/env bash
# crossdock's archive writer side by side with the usual tools, same input, same cores,
# in one run (issue 25 §5): a 100 MB binary-like file archived and hashed
#   tar.gz  vs `tar | pigz -6 | sha256sum` and `tar | gzip -6 | sha256sum`
#   tar.xz  vs `tar | xz -T0 -6 | sha256sum`
#   tar.zst vs `tar | zstd -T0 | sha256sum` (zstd's default level 3; crossdock writes 19)
# each with wall time, CPU time (user + sys, all processes) and output size, RUNS times
# (best wall shown). BASELINE=/path/to/an/older/cargo-crossdock adds its rows (same input),
# and the script checks that it writes the same bytes. FORMATS="gz xz zst" picks formats.
# The 2-core numbers in the closing note of issue 25 come from this script.
# usage: benches/compress.sh   (builds target/release/cargo-crossdock first)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
FORMATS=${FORMATS:-gz xz zst}
cd "$ROOT"
cargo build --release -q -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
for tool in pigz gzip xz zstd tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH (Debian: apt-get install $tool)"; exit 1; }
done
WORK=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# The 100 MB binary-like input (benches/big-input.sh).
. "$ROOT/benches/big-input.sh"
big_input "$WORK/big"

# best wall seconds and its CPU seconds over RUNS runs of `bash -c "$1"`; output in $2
run() {
  local best="" cpu="" i line wall c
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -o "$WORK/time" -f '%e %U %S' bash -c "$1" >/dev/null 2>&1
    read -r wall u s <"$WORK/time"
    c=$(python3 -c "print(f'{$u + $s:.2f}')")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then best=$wall; cpu=$c; fi
  done
  printf '%-46s %7s s wall %7s s CPU %11s bytes\n' "$3" "$best" "$cpu" "$(stat -c %s "$2")"
}

mkdir -p "$WORK/ours" "$WORK/base"
for fmt in $FORMATS; do
  echo "== tar.$fmt"
  out="$WORK/ours/big.tar.$fmt"
  run "'$CD' archive '$out' '$WORK/big'" "$out" "crossdock archive (tar.$fmt + sha256)"
  if [ -n "${BASELINE:-}" ]; then
    bout="$WORK/base/big.tar.$fmt"
    run "'$BASELINE' archive '$bout' '$WORK/big'" "$bout" "baseline crossdock (tar.$fmt + sha256)"
    cmp -s "$out" "$bout" && echo "  same bytes as the baseline" || { echo "  BYTES DIFFER from the baseline"; exit 1; }
  fi
  case $fmt in
    gz)
      run "tar -C '$WORK' -cf - big | pigz -6 -n | tee '$WORK/p.gz' | sha256sum" "$WORK/p.gz" "tar | pigz -6 | sha256sum"
      run "tar -C '$WORK' -cf - big | gzip -6 -n | tee '$WORK/g.gz' | sha256sum" "$WORK/g.gz" "tar | gzip -6 | sha256sum"
      gzip -t "$out" && echo "  gzip -t: crossdock's is a valid gzip stream"
      # The block split does not depend on the core count: one core writes the same bytes.
      mkdir -p "$WORK/one"
      taskset -c 0 "$CD" archive "$WORK/one/big.tar.gz" "$WORK/big" >/dev/null
      cmp -s "$WORK/one/big.tar.gz" "$out" && echo "  one core (taskset -c 0): same bytes" || { echo "  one core: BYTES DIFFER"; exit 1; }
      ;;
    xz) run "tar -C '$WORK' -cf - big | xz -T0 -6 | tee '$WORK/x.xz' | sha256sum" "$WORK/x.xz" "tar | xz -T0 -6 | sha256sum" ;;
    zst)
      run "tar -C '$WORK' -cf - big | zstd -q -T0 | tee '$WORK/z.zst' | sha256sum" "$WORK/z.zst" "tar | zstd -T0 | sha256sum"
      run "tar -C '$WORK' -cf - big | zstd -q -T0 -19 | tee '$WORK/z19.zst' | sha256sum" "$WORK/z19.zst" "tar | zstd -T0 -19 | sha256sum"
      ;;
  esac
done
