#!/usr/bin/env bash
# crossdock and cargo-dist side by side on one fixture, for the measured rows of
# docs/comparison.md. The fixture is tests/fixtures/sbom: a CLI with a registry crate
# (cfg-if), a proc-macro and a build-dependency. Each tool gets its own git copy of it (so its
# own target dir), with the two lines cargo-dist needs added to Cargo.toml in both copies
# (`repository`, and `[package.metadata.dist] dist = true`: the fixture is `publish = false`).
#  (a) two builds from an empty target dir, with SOURCE_DATE_EPOCH set and without:
#      identical files (sha256)?
#  (b) the checksum files verify with `sha256sum -c`
#  (c) the files each writes
#  (d) SBOM, auditable binaries, source archive, signature, verify: what each writes when
#      asked (cargo-dist's `cargo-cyclonedx`, `cargo-auditable`, `github-attestations`)
#  (e) a rerun with nothing changed: median wall time of RUNS runs, beside `cargo build`
#  (f) aarch64-unknown-linux-gnu from this x86_64 Linux host, run under qemu
#  (g) a universal macOS binary: what cargo-dist says on Linux (crossdock's is built only
#      with COMPARE_APPLE=1: it builds std for both Apple targets, minutes)
# usage: benches/compare-cargo-dist.sh   (needs cargo-dist's `dist` on PATH, e.g.
#        `cargo install cargo-dist --version 0.33.1 --locked`; skips without it)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
if ! command -v dist >/dev/null 2>&1; then
  echo "skipped: cargo-dist's \`dist\` is not on PATH (cargo install cargo-dist --version 0.33.1 --locked)"
  exit 0
fi
cd "$ROOT"
cargo build --release -q -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
WORK=$(mktemp -d /tmp/crossdock-compare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
HOST=$(rustc -vV | sed -n 's/^host: //p')
ARM=aarch64-unknown-linux-gnu
TAG=v0.4.0
echo "crossdock $("$CD" --version | awk '{print $NF}') ($(git -C "$ROOT" rev-parse --short HEAD)), $(dist --version), $(rustc --version), $(date -u +%F)"

now() { date +%s%N; }
# Median wall time in ms of RUNS runs of "$@" (after one warm run).
median_ms() {
  local i t0 ts=()
  "$@" >/dev/null 2>&1
  for ((i = 0; i < RUNS; i++)); do
    t0=$(now)
    "$@" >/dev/null 2>&1
    ts+=($((($(now) - t0) / 1000000)))
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
commit() { git add -A && git -c user.email=bench@crossdock -c user.name=bench commit -qm "$1"; }

# A git copy of the fixture in $WORK/$1.
fixture() {
  cp -r "$ROOT/tests/fixtures/sbom" "$WORK/$1"
  cd "$WORK/$1"
  rm -rf target dist targets.toml
  sed -i 's|^license = |repository = "https://github.com/example/sbomapp"\nlicense = |' Cargo.toml
  printf '\n[package.metadata.dist]\ndist = true\n' >> Cargo.toml
  printf '/target\n/dist\n' > .gitignore
  git init -q && commit fixture
}

fixture xd
cat > targets.toml <<EOF
[dist]
sbom = true
auditable = true
source-archive = true
installers = ["shell"]

[[target]]
triple = "$HOST"
EOF
commit config
if command -v minisign >/dev/null; then
  minisign -G -W -p "$WORK/app.pub" -s "$WORK/app.key" >/dev/null
  export CROSSDOCK_MINISIGN_KEY="$(cat "$WORK/app.key")"
fi
# The whole matrix (the host): a --target run signs nothing.
xd() { (cd "$WORK/xd" && "$CD" dist "$@"); }
xd_files() { (cd "$WORK/xd/dist" && find . -type f | sort | xargs sha256sum); }

fixture cd
dist init --yes >/dev/null 2>&1 </dev/null
sed -i "s|^installers = .*|installers = [\"shell\"]|; s|^targets = .*|targets = [\"$HOST\", \"$ARM\", \"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]|" dist-workspace.toml
commit "dist init"
cdist() { (cd "$WORK/cd" && dist build --artifacts=all --target "$HOST" --tag "$TAG" "$@"); }
cdist_files() { (cd "$WORK/cd/target/distrib" && find . -maxdepth 1 -type f | sort | xargs sha256sum); }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (wall times below are from a shared 2-core machine)"
echo
echo "== (a) two builds from an empty target dir: do the files differ?"
twice() { # tool label: builds twice (target dir removed before each), prints the files that differ
  local tool=$1 first
  build() { "clean_$tool"; "$tool" >"$WORK/build.log" 2>&1 || { tail -5 "$WORK/build.log"; exit 1; }; }
  build; first=$("${tool}_files")
  [ "$tool" = cdist ] && cp "$WORK/cd/target/distrib/sbomapp-$HOST.tar.xz" "$WORK/first.tar.xz"
  sleep 2
  build
  if [ "$tool" = cdist ]; then # what differs inside the archives
    rm -rf "$WORK/x1" "$WORK/x2" && mkdir "$WORK/x1" "$WORK/x2"
    tar -xJf "$WORK/first.tar.xz" -C "$WORK/x1" && tar -xJf "$WORK/cd/target/distrib/sbomapp-$HOST.tar.xz" -C "$WORK/x2"
    echo "    the binaries inside: $(cmp -s "$WORK"/x1/*/sbomapp "$WORK"/x2/*/sbomapp && echo identical || echo differ);" \
      "member mtimes: $(tar --full-time -tvJf "$WORK/first.tar.xz" | awk '{print $4" "$5}' | sort -u | xargs) then" \
      "$(tar --full-time -tvJf "$WORK/cd/target/distrib/sbomapp-$HOST.tar.xz" | awk '{print $4" "$5}' | sort -u | xargs)"
  fi
  diff <(echo "$first") <("${tool}_files") | sed -n 's/^> [0-9a-f]*  \.\//    differs: /p' || true
  echo "    $(echo "$first" | wc -l) files"
}
clean_xd() { rm -rf "$WORK/xd/target" "$WORK/xd/dist"; }
clean_cdist() { rm -rf "$WORK/cd/target"; }
echo "  crossdock, sign unset, SOURCE_DATE_EPOCH unset:"; twice xd
if command -v minisign >/dev/null; then
  (cd "$WORK/xd" && sed -i 's/^\[dist\]$/[dist]\nsign = "minisign"/' targets.toml && commit sign)
  echo "  (crossdock signs SHA256SUMS with minisign from here on)"
fi
for epoch in 1700000000 ""; do
  if [ -n "$epoch" ]; then export SOURCE_DATE_EPOCH=$epoch; else unset SOURCE_DATE_EPOCH; fi
  echo "  SOURCE_DATE_EPOCH=${epoch:-(unset)}"
  echo "  crossdock:"; twice xd
  echo "  cargo-dist:"; twice cdist
done
unset SOURCE_DATE_EPOCH

echo
echo "== (b) sha256sum -c"
(cd "$WORK/xd/dist" && sha256sum -c SHA256SUMS >/dev/null && echo "  crossdock SHA256SUMS: OK")
(cd "$WORK/cd/target/distrib" && sha256sum -c sha256.sum >/dev/null && echo "  cargo-dist sha256.sum: OK")
(cd "$WORK/cd/target/distrib" && for f in *.sha256; do sha256sum -c "$f" >/dev/null || echo "  cargo-dist $f: FAILED"; done \
  && echo "  cargo-dist *.sha256 ($(ls ./*.sha256 | wc -l) files): each OK")

echo
echo "== (c) files written (host target)"
echo "  crossdock dist/:"; (cd "$WORK/xd/dist" && find . -type f | sort | sed 's|^\./|    |')
echo "  cargo-dist target/distrib/ (files):"; (cd "$WORK/cd/target/distrib" && find . -maxdepth 1 -type f | sort | sed 's|^\./|    |')

echo
echo "== (d) SBOM, auditable, source archive, signature, verify"
tar -xzf "$WORK/xd/dist/sbomapp-0.4.0-$HOST.tar.gz" -C "$WORK" && xbin=$(find "$WORK/sbomapp-0.4.0-$HOST" -name sbomapp -type f)
echo "  crossdock: shipped binary has .dep-v0: $(readelf -S "$xbin" | grep -q dep-v0 && echo yes || echo no)"
if command -v minisign >/dev/null; then
  (cd "$WORK/xd/dist" && minisign -Vm SHA256SUMS -p "$WORK/app.pub" >/dev/null && echo "  crossdock: minisign -Vm SHA256SUMS: OK")
fi
(cd "$WORK/xd" && "$CD" verify dist --target "$HOST" >"$WORK/verify.log" 2>&1 && echo "  crossdock: verify dist: exit 0, $(grep -c Identical "$WORK/verify.log") identical") \
  || echo "  crossdock: verify dist FAILED: $(tail -3 "$WORK/verify.log")"
try_cd() { # a cargo-dist build with config line $1 added: its error, or the files it lists but did not write
  (cd "$WORK/cd" && cp dist-workspace.toml "$WORK/dwt" && sed -i "s|^\[dist\]$|[dist]\n$1|" dist-workspace.toml &&
    dist generate >/dev/null 2>&1
    if dist build --artifacts=all --target "$HOST" --tag "$TAG" >"$WORK/try.log" 2>&1; then
      missing=$(grep -o '[^ ]*target/distrib/[^ ]*' "$WORK/try.log" | sort -u | while read -r f; do [ -e "$f" ] || basename "$f"; done)
      echo "  cargo-dist $1: exit 0; listed but not written: ${missing:-none}"
    else
      echo "  cargo-dist $1: $(grep -A1 -m1 '×' "$WORK/try.log" | tr -s ' \n' ' ')"
    fi
    mv "$WORK/dwt" dist-workspace.toml && git checkout -q .github)
}
try_cd 'cargo-cyclonedx = true'
try_cd 'cargo-auditable = true'
(cd "$WORK/cd" && cp dist-workspace.toml /tmp/dwt.$$ && sed -i 's|^\[dist\]$|[dist]\ngithub-attestations = true|' dist-workspace.toml &&
  dist generate >/dev/null 2>&1 && echo "  cargo-dist github-attestations = true: $(grep -c 'attest' .github/workflows/release.yml) lines of release.yml name attest" ;
  mv /tmp/dwt.$$ dist-workspace.toml; git checkout -q .github)
echo "  cargo-dist subcommands: $(dist help 2>&1 | sed -n 's/^  \([a-z-]*\)  .*/\1/p' | xargs)"

echo
echo "== (e) rerun with nothing changed (median of $RUNS, ms)"
CARGO_MS=$(cd "$WORK/xd" && median_ms cargo build --profile dist --target "$HOST")
echo "  cargo build --profile dist (no-op):        $CARGO_MS"
echo "  crossdock dist:                            $(median_ms xd)"
echo "  cargo-dist build --artifacts=all:          $(median_ms cdist)"
echo "  cargo-dist build --artifacts=local:        $(cd "$WORK/cd" && median_ms dist build --artifacts=local --target "$HOST" --tag "$TAG")"

echo
echo "== (f) $ARM from $HOST"
cat >> "$WORK/xd/targets.toml" <<EOF

[[target]]
triple = "$ARM"
linker = "aarch64-linux-gnu-gcc"
EOF
(cd "$WORK/xd" && commit aarch64)
t0=$(now)
if (cd "$WORK/xd" && "$CD" dist --target "$ARM" >"$WORK/arm-xd.log" 2>&1); then
  tar -xzf "$WORK/xd/dist/sbomapp-0.4.0-$ARM.tar.gz" -C "$WORK"
  echo "  crossdock: built in $((($(now) - t0) / 1000000)) ms; runs: $(qemu-aarch64 -L /usr/aarch64-linux-gnu "$WORK/sbomapp-0.4.0-$ARM/sbomapp")"
else
  echo "  crossdock: FAILED: $(tail -3 "$WORK/arm-xd.log")"
fi
# cargo-dist cross-builds Linux targets with cargo-zigbuild, which needs zig on PATH
# (.ci/install-cross.sh puts a zig wrapper in $CROSS_HOME/bin).
command -v zig >/dev/null || PATH="${CROSS_HOME:-/opt/crossdock-cross}/bin:$PATH"
echo "  (zig $(zig version 2>/dev/null || echo 'not found'), $(cargo-zigbuild --version 2>/dev/null))"
t0=$(now)
if (cd "$WORK/cd" && dist build --artifacts=local --target "$ARM" --tag "$TAG" >"$WORK/arm-cd.log" 2>&1); then
  mkdir -p "$WORK/arm-cd" && tar -xJf "$WORK/cd/target/distrib/sbomapp-$ARM.tar.xz" -C "$WORK/arm-cd"
  echo "  cargo-dist: built in $((($(now) - t0) / 1000000)) ms ($(grep -o -m1 'cargo zigbuild\|cargo-zigbuild\|cross build' "$WORK/arm-cd.log" || echo 'plain cargo')); runs: $(qemu-aarch64 -L /usr/aarch64-linux-gnu "$(find "$WORK/arm-cd" -name sbomapp -type f)")"
else
  echo "  cargo-dist: FAILED: $(grep -m2 -E '×|error' "$WORK/arm-cd.log" | tr -s ' ')"
fi

echo
echo "== (g) universal macOS binary"
(cd "$WORK/cd" && dist build --artifacts=local --target x86_64-apple-darwin --tag "$TAG" >"$WORK/mac-cd.log" 2>&1) \
  && echo "  cargo-dist: x86_64-apple-darwin built" \
  || echo "  cargo-dist x86_64-apple-darwin: $(grep -A2 -m1 '×' "$WORK/mac-cd.log" | tr -s ' \n' ' ')"
echo "  cargo-dist: no universal target in its config (targets are Rust triples; 0.33 has no lipo step)"
if [ "${COMPARE_APPLE:-0}" = 1 ]; then
  cd "$WORK/xd"
  cat >> targets.toml <<EOF

[[target]]
triple = "x86_64-apple-darwin"
[[target]]
triple = "aarch64-apple-darwin"
[[universal]]
name = "universal-apple-darwin"
targets = ["x86_64-apple-darwin", "aarch64-apple-darwin"]
EOF
  cat > targets.local.toml <<EOF
[dist]
rustc = "/usr/bin/rustc"
[[target]]
triple = "x86_64-apple-darwin"
build-std = true
linker = "/opt/crossdock-cross/bin/x86_64-macos-cc"
[[target]]
triple = "aarch64-apple-darwin"
build-std = true
linker = "/opt/crossdock-cross/bin/aarch64-macos-cc"
EOF
  commit apple
  "$CD" dist --target x86_64-apple-darwin --target aarch64-apple-darwin >"$WORK/mac-xd.log" 2>&1 \
    && echo "  crossdock: $(ls dist | grep universal-apple-darwin)" \
    || echo "  crossdock: FAILED: $(tail -3 "$WORK/mac-xd.log")"
else
  echo "  crossdock: not built here (COMPARE_APPLE=1 builds it; tests/it/apple.rs checks its slices)"
fi
