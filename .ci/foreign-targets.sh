#!/usr/bin/env bash
# crossdock must build and work where users' release jobs run their xtask: Windows and macOS
# runners (issue 14 §1). Proven from this Linux machine with the toolchains
# .ci/install-cross.sh installs:
#   - x86_64-pc-windows-gnu: the engine's unit tests and the CLI's and xtask's binaries built
#     and run under wine (rustup's std when it can be downloaded, else Debian rustc-web with
#     -Zbuild-std; mingw links), and archives the Windows CLI writes equal Linux's;
#   - clippy -D warnings for x86_64-pc-windows-gnu and x86_64-apple-darwin with rustup's
#     clippy, which needs rustup's std for the target. When `rustup target add` cannot reach
#     its server (some days here), apple-darwin is type-checked with Debian's rustc and
#     -Zbuild-std instead, and the skipped clippy is printed.
#   env: CROSS_HOME (default /opt/crossdock-cross); CROSSDOCK_BIN, a built Linux
#        cargo-crossdock to compare with (.ci/run passes the one its tests built); unset:
#        `cargo build` builds one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CROSS_HOME=${CROSS_HOME:-/opt/crossdock-cross}
SECONDS=0
say() { printf -- '-- %s (%ss)\n' "$*" "$SECONDS"; }

# C code in build scripts (zstd-sys) for the foreign targets: mingw, and zig cc for Mach-O.
export CC_x86_64_apple_darwin="$CROSS_HOME/bin/x86_64-macos-cc" AR_x86_64_apple_darwin=llvm-ar-14
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc

debian() { # cargo with Debian's rustc and build-std, target dir per target
  local target=$1; shift
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="target/foreign-$target" \
    /usr/bin/cargo "$@" --target "$target" -Zbuild-std=std,panic_abort --locked
}

# Windows builds: rustup's prebuilt std when `rustup target add` works today (fast), else
# Debian's rustc with -Zbuild-std (no download); both link with mingw.
if timeout 300 rustup target add x86_64-pc-windows-gnu >/dev/null 2>&1; then
  say "x86_64-pc-windows-gnu: rustup's std"
  win() { CARGO_TARGET_DIR=target/foreign-x86_64-pc-windows-gnu cargo "$@" --target x86_64-pc-windows-gnu --locked; }
else
  say "x86_64-pc-windows-gnu: rustup cannot download std today: Debian's rustc with -Zbuild-std"
  win() { debian x86_64-pc-windows-gnu "$@"; }
fi

say "x86_64-pc-windows-gnu: engine unit tests, CLI and xtask under wine"
# insta finds its snapshots from this path (under wine it cannot ask cargo metadata). The
# Linux tools some tests compare against (llvm-lipo…) cannot run from Windows programs: those
# tests skip there, whatever CROSSDOCK_REQUIRE_CROSS says; the Linux run requires them.
INSTA_WORKSPACE_ROOT="$PWD" CROSSDOCK_REQUIRE_CROSS=0 \
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$CROSS_HOME/bin/wine-run" \
  win test -p crossdock -p xtask --lib --bins

say "x86_64-pc-windows-gnu: archives written under wine are byte-identical to Linux's"
win build -p crossdock --bin cargo-crossdock
linux_bin=${CROSSDOCK_BIN:-}
if [ -z "$linux_bin" ]; then
  cargo build -q -p crossdock --bin cargo-crossdock
  linux_bin=target/debug/cargo-crossdock
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/in" "$scratch/linux" "$scratch/windows"
printf 'MZ not really a program\n' >"$scratch/in/app.exe"   # 0755 on both: mode bit / .exe
printf '# app\n' >"$scratch/in/README.md"                 # 0644 on both
chmod 755 "$scratch/in/app.exe"; chmod 644 "$scratch/in/README.md"
for ext in tar.gz zip tar.xz tar.zst; do
  SOURCE_DATE_EPOCH=1700000000 "$linux_bin" archive \
    "$scratch/linux/app.$ext" "$scratch/in/app.exe" "$scratch/in/README.md" >/dev/null
  SOURCE_DATE_EPOCH=1700000000 "$CROSS_HOME/bin/wine-run" \
    "target/foreign-x86_64-pc-windows-gnu/x86_64-pc-windows-gnu/debug/cargo-crossdock.exe" archive \
    "$scratch/windows/app.$ext" "$scratch/in/app.exe" "$scratch/in/README.md" >/dev/null
  cmp "$scratch/linux/app.$ext" "$scratch/windows/app.$ext"
  echo "app.$ext: identical ($(sha256sum <"$scratch/linux/app.$ext" | cut -c1-12))"
done

for target in x86_64-pc-windows-gnu x86_64-apple-darwin; do
  if timeout 300 rustup target add "$target" >/dev/null 2>&1; then
    say "$target: cargo clippy --all-targets -D warnings"
    CARGO_TARGET_DIR="target/clippy" \
      cargo clippy -p crossdock -p xtask --all-targets --target "$target" --locked -- -D warnings
  else
    say "$target: clippy SKIPPED: \`rustup target add $target\` could not download std today (no route to static.rust-lang.org)"
    if [ "$target" = x86_64-apple-darwin ]; then
      say "$target: type-check with Debian's rustc instead"
      debian "$target" check -p crossdock -p xtask
    fi
  fi
done
say "done"
