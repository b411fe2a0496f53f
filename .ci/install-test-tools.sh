#!/usr/bin/env bash
# The Debian packages whose programs the tests judge crossdock's output with (installers under
# dash and bash, their PATH line read by dash, bash and zsh, the Homebrew formula with ruby, .deb with dpkg-deb and lintian, .rpm with rpm,
# archives with xz and zstd, the publish script with jq, …). A fresh CI machine has only the
# Rust toolchain: every program a test can ask for is in tests/it/support.rs `TOOLS`, and the
# test `every_tool_a_test_can_require_is_installed_by_ci` checks that .ci/ installs each.
# Idempotent; waits for another apt's lock instead of failing at once (issue 20 §13).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

packages=(
  bash dash zsh coreutils curl python3 python3-venv
  ruby shellcheck jq
  xz-utils zstd
  dpkg lintian rpm
  file binutils
  gcc
  # Build scripts through the `cmake` crate (mimalloc under oxc-resolver's `allocator`).
  cmake
  # Verifies SHA256SUMS.minisig (`sign = "minisign"`) and makes the tests' keys.
  minisign
  # Verifies SHA256SUMS.asc (`sign = "gpg"`), makes the tests' keys; gpgconf stops their agents.
  gnupg
  # sccache's Redis backend, shared by two runners' builds (cache = "sccache").
  redis-server
)
# Node and npm judge the Node modules (npm install of the packed tarballs, node -e). Asked
# for by program, not package: a machine with NodeSource's nodejs has npm without Debian's
# `npm` package, and installing that one would conflict with it.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools: already installed: ${packages[*]}"
  exit 0
fi
echo "test tools: apt-get install ${missing[*]}"
apt="$SUDO apt-get -o DPkg::Lock::Timeout=300 -y -qq"
timeout 600 $apt update >/dev/null
timeout 1800 $apt install --no-install-recommends "${missing[@]}" >/dev/null
