#!/usr/bin/env bash
# Runs named test tiers of .ci/tiers (the slow end-to-end tests `cargo test --workspace`
# leaves out), each with its time, and records each test's time for .ci/test-times.py.
#   usage: .ci/test-tier.sh NAME…     one or more tiers
#          .ci/test-tier.sh --all     every tier, in the order of .ci/tiers
#          .ci/test-tier.sh --list    the tiers and their filters
#          .ci/test-tier.sh --names   the tiers' names (.ci/run runs each in turn)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

declare -A filters=()
order=()
while read -r name rest; do
  case "$name" in '' | '#'*) continue ;; esac
  [ -n "${filters[$name]+set}" ] || order+=("$name")
  filters[$name]="${filters[$name]:-}${filters[$name]:+ }$rest"
done < .ci/tiers

case "${1:-}" in
  '') sed -n '2,7s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  --list) for t in "${order[@]}"; do printf '%-16s %s\n' "$t" "${filters[$t]}"; done; exit 0 ;;
  --names) printf '%s\n' "${order[@]}"; exit 0 ;;
  --all) set -- "${order[@]}" ;;
esac
for t in "$@"; do
  if [ -z "${filters[$t]+set}" ]; then
    echo "error: no tier \`$t\` in .ci/tiers (tiers: ${order[*]})" >&2
    exit 2
  fi
done

# libtest runs RUST_TEST_THREADS tests at once; test-times.py needs the same number.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-$(nproc)}"
for t in "$@"; do
  start=$SECONDS
  printf '\n== tier %s: %s\n' "$t" "${filters[$t]}"
  # shellcheck disable=SC2086 # the filters are words
  cargo test -p crossdock --test it -- --ignored --nocapture ${filters[$t]} 2>&1 |
    python3 .ci/test-times.py record "$t"
  printf '== tier %s took %ss\n' "$t" "$((SECONDS - start))"
done
