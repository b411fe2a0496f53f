#!/usr/bin/env bash
# crossdock side by side with @napi-rs/cli 3.x on the same napi-rs crate and target, in one
# run: a cold and a no-change release build that ends in npm tarballs ready to publish
# (napi: `build --platform --release`, `create-npm-dirs`, `artifacts`, `pre-publish
# --dry-run`, `npm pack` of each package; crossdock: one `dist`), then the file names and the
# platform package.json fields each wrote.
# usage: benches/napi-side-by-side.sh [WORKSPACE [MODULE_DIR [FEATURES]]]
#   default: the fixture tests/fixtures/node-ws, module hello-node, host target
# Needs node/npm; installs @napi-rs/cli@3 into target/napi-cli once.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WS=$(cd "${1:-$ROOT/tests/fixtures/node-ws}" && pwd)
MODULE_REL=${2:-hello-node}
FEATURES=${3:-}
cd "$ROOT"
cargo build --release -q -p crossdock
CD="$ROOT/target/release/cargo-crossdock"
NAPI_DIR="$ROOT/target/napi-cli"
if [ ! -x "$NAPI_DIR/node_modules/.bin/napi" ]; then
  mkdir -p "$NAPI_DIR"
  echo '{"private": true}' >"$NAPI_DIR/package.json"
  (cd "$NAPI_DIR" && npm install -q --no-audit --no-fund @napi-rs/cli@3 >/dev/null)
fi
NAPI="$NAPI_DIR/node_modules/.bin/napi"
HOST=$(rustc -vV | sed -n 's/^host: //p')
WORK=$(mktemp -d /tmp/crossdock-napi-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset RUSTFLAGS CARGO_TARGET_DIR
export SOURCE_DATE_EPOCH=1700000000 NO_COLOR=1

# seconds (one decimal) that a command took; its output goes to $WORK/last.log
secs() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; exit 1; }
  t1=$(date +%s%N)
  printf '%d.%d' $(((t1 - t0) / 1000000000)) $(((t1 - t0) / 100000000 % 10))
}

napi_release() {
  local m="$WORK/napi/$MODULE_REL"
  cd "$m"
  # shellcheck disable=SC2086
  "$NAPI" build --platform --release --target "$HOST" --target-dir "$WORK/napi-target" \
    ${FEATURES:+--features $FEATURES} --no-js --no-dts-header -o artifacts
  "$NAPI" create-npm-dirs
  "$NAPI" artifacts --npm-dir npm
  # Pins the platform packages in the root's optionalDependencies; publishes nothing.
  "$NAPI" pre-publish --dry-run --skip-optional-publish -t npm
  rm -rf "$WORK/napi-out" && mkdir -p "$WORK/napi-out"
  for d in npm/*/ .; do (cd "$d" && npm pack -q --pack-destination "$WORK/napi-out" >/dev/null); done
}
crossdock_release() {
  cd "$WORK/cd"
  CARGO_TARGET_DIR="$WORK/cd-target" "$CD" crossdock dist --target "$HOST"
}

# Both build the host target only: napi.targets and the matrix say so (napi's `artifacts`
# refuses a run that lacks a module of a listed target).
for tool in napi cd; do
  cp -r "$WS" "$WORK/$tool"
  rm -rf "$WORK/$tool/target" "$WORK/$tool/dist"
  python3 - "$WORK/$tool/$MODULE_REL/package.json" "$HOST" <<'EOF2'
import json, sys
p = json.load(open(sys.argv[1]))
p["napi"]["targets"] = [sys.argv[2]]
p["napi"].pop("triples", None)
json.dump(p, open(sys.argv[1], "w"), indent=2)
EOF2
done
printf '[dist]\npackages = ["%s"]\n\n[[target]]\ntriple = "%s"\n' \
  "$(sed -n 's/^name = "\(.*\)"/\1/p' "$WORK/cd/$MODULE_REL/Cargo.toml" | head -1)" "$HOST" >"$WORK/cd/targets.toml"
# napi's pre-publish reads the last commit.
(cd "$WORK/napi" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm bench)
if [ -n "$FEATURES" ] && ! grep -q features "$WORK/cd/targets.toml"; then
  printf 'features = ["%s"]\n' "$FEATURES" >>"$WORK/cd/targets.toml"
fi

echo "== $(basename "$WS")/$MODULE_REL for $HOST; @napi-rs/cli $("$NAPI" --version), crossdock $(git -C "$ROOT" rev-parse --short HEAD)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %10s\n' "" "cold (s)" "no-op (s)"
printf '%-28s %10s %10s\n' "napi build+dirs+pack" "$(secs napi_release)" "$(secs napi_release)"
printf '%-28s %10s %10s\n' "crossdock dist" "$(secs crossdock_release)" "$(secs crossdock_release)"

echo
echo "== file names"
names() { find "$1" -maxdepth 1 -name '*.tgz' -printf '%f\n' | sort | tr '\n' ' '; }
echo "napi:      $(names "$WORK/napi-out")"
echo "crossdock: $(names "$WORK/cd/dist")"
echo "napi module files:      $(cd "$WORK/napi/$MODULE_REL" && find npm -name '*.node' | sort | tr '\n' ' ')"
echo
echo "== platform package.json: fields that differ (napi's, then crossdock's)"
plat=$(find "$WORK/napi/$MODULE_REL/npm" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
echo "root optionalDependencies: napi $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("optionalDependencies"))' "$WORK/napi/$MODULE_REL/package.json")"
x="$WORK/x" && mkdir -p "$x"
tar xzf "$(find "$WORK/cd/dist" -name "*-$plat-*.tgz" | head -1)" -C "$x"
python3 - "$WORK/napi/$MODULE_REL/npm/$plat/package.json" "$x/package/package.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in sorted(set(a) | set(b)):
    if a.get(k) != b.get(k):
        print(f"  {k}: {json.dumps(a.get(k))}  |  {json.dumps(b.get(k))}")
same = sorted(k for k in set(a) & set(b) if a[k] == b[k])
print("  same:", ", ".join(same))
EOF
