#!/usr/bin/env bash
# Builds the npm package `kms-sandbox` (packages/kms-sandbox) into packages/kms-sandbox/dist/:
#   1. `wasm-pack build --release --target web` of crates/kms-web into target/package/wasm/ (the
#      one release build: skipped when its kms_web_bg.wasm is newer than every source it comes
#      from; scripts/bench.sh reuses it);
#   2. packages/kms-sandbox/build/assemble.mjs: dist/ anew, with the wasm and its glue, the Node
#      (CommonJS bundled by esbuild, and an ES module wrapper) and browser entries, and the
#      TypeScript declarations.
# Then `cd packages/kms-sandbox && npm pack` makes the tarball (scripts/test-package.sh does).
#
# Environment: KMS_PACKAGE_REBUILD=1 rebuilds the wasm even if it looks up to date;
# CARGO_TARGET_DIR is respected.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
PKG="$ROOT/packages/kms-sandbox"
say() { printf '[build-package] %s\n' "$*"; }

if [ ! -x "$PKG/node_modules/.bin/esbuild" ]; then
  say "npm ci in packages/kms-sandbox (esbuild, typescript)"
  (cd "$PKG" && npm ci --prefer-offline --no-audit --no-fund)
fi

OUT="${KMS_PACKAGE_WASM_DIR:-$ROOT/target/package/wasm}"
WASM="$OUT/kms_web_bg.wasm"
newer=""
if [ -f "$WASM" ] && [ "${KMS_PACKAGE_REBUILD:-0}" != 1 ]; then
  newer=$(find crates/kms-core crates/kms-web/src crates/kms-web/build.rs crates/kms-web/Cargo.toml \
    crates/kms-core/Cargo.toml Cargo.toml Cargo.lock -type f -newer "$WASM" -print -quit)
fi
if [ -f "$WASM" ] && [ -z "$newer" ] && [ "${KMS_PACKAGE_REBUILD:-0}" != 1 ]; then
  say "${OUT#"$ROOT/"} is up to date with crates/kms-web and crates/kms-core: not rebuilt"
else
  say "wasm-pack build --release --target web crates/kms-web -> ${OUT#"$ROOT/"}"
  start=$SECONDS
  rm -rf "$OUT"
  wasm-pack build --release crates/kms-web --target web --out-dir "$OUT" --out-name kms_web --no-pack
  say "wasm-pack took $((SECONDS - start)) s"
fi
node "$PKG/build/assemble.mjs" "$OUT"
say "kms_web_bg.wasm: $(stat -c %s "$WASM") bytes"
