#!/usr/bin/env bash
# Runs `cargo test` and prints each test's time, the slowest first (what `.ci/run` prints at
# its end, for one run of your own).
#   usage: .ci/test-times.sh [CARGO TEST ARGS…]    default: --workspace (the default tier)
# e.g. `.ci/test-times.sh -p crossdock --test it node` for one module of tests/it. Run it a
# second time with nothing changed for the warm times (nothing to compile). SLOWEST=N prints
# N tests (20). The times go to target/test-times/local.tsv.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# libtest runs RUST_TEST_THREADS tests at once; test-times.py needs the same number.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-$(nproc)}"
[ $# -gt 0 ] || set -- --workspace
start=$SECONDS
cargo test "$@" 2>&1 | python3 .ci/test-times.py record local
status=$?
printf '\n== cargo test %s took %ss (%s tests at once; load:%s)\n' "$*" "$((SECONDS - start))" \
  "$RUST_TEST_THREADS" "$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
python3 .ci/test-times.py slowest "${SLOWEST:-20}" local
exit "$status"
