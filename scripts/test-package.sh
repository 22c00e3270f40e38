#!/usr/bin/env bash
# Tests the npm package `kms-sandbox` as its users get it:
#   1. builds it (scripts/build-package.sh: one `wasm-pack build --release`, reused when up to date);
#   2. `npm pack` into a temporary folder, and prints the packed and unpacked sizes;
#   3. `npm publish --dry-run` (the package metadata; nothing is published);
#   4. tests/package/run.mjs: installs the tarball into fresh temporary projects (Node ESM, Node
#      CommonJS, a Vite-built page and a plain ES module page in headless Chromium) with
#      `npm install --prefer-offline`, and runs each one's tests through @aws-sdk/client-kms.
# Prints one libtest-style "test result:" line per project and the publish check; exits non-zero
# if any fails. Environment: UPDATE_SNAPSHOT=1 (rewrite tests/package/expected-snapshot.json),
# KEEP_PROJECTS=1, KMS_PACKAGE_REBUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
PKG="$ROOT/packages/kms-sandbox"
say() { printf '[test-package] %s\n' "$*"; }

export KMS_SANDBOX_TEST_RUN="${KMS_SANDBOX_TEST_RUN:-package-$$-$(date +%s%N)}"
KMS_SANDBOX_LOG_TAG=test-package
# shellcheck source=lib/browsers.sh
source "$ROOT/scripts/lib/browsers.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kms-sandbox-pack.XXXXXX")
trap 'kill_our_browsers; rm -rf "$WORK"; remove_run_tmp' EXIT
trap 'exit 130' INT TERM

if [ ! -d "$ROOT/tests/package/node_modules/playwright-core" ]; then
  say "npm ci in tests/package"
  (cd "$ROOT/tests/package" && npm ci --prefer-offline --no-audit --no-fund)
fi

start=$SECONDS
bash scripts/build-package.sh
say "build: $((SECONDS - start)) s"

say "npm pack"
(cd "$PKG" && npm pack --json --pack-destination "$WORK" >"$WORK/pack.json")
TARBALL="$WORK/$(node -p "require('$WORK/pack.json')[0].filename")"
node -e "
  const [p] = require('$WORK/pack.json');
  console.log('[test-package] ' + p.filename + ': packed ' + p.size + ' bytes, unpacked ' + p.unpackedSize + ' bytes, ' + p.entryCount + ' files');
  for (const f of p.files) console.log('    ' + String(f.size).padStart(9) + '  ' + f.path);
"

say "npm publish --dry-run"
publish_rc=0
(cd "$PKG" && npm publish --dry-run 2>&1 | tail -n 8) || publish_rc=$?
if [ "$publish_rc" -eq 0 ]; then
  echo "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out (npm publish --dry-run)"
else
  echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out (npm publish --dry-run)"
fi

rc=0
node "$ROOT/tests/package/run.mjs" "$TARBALL" || rc=$?
say "took $((SECONDS - start)) s"
[ "$publish_rc" -eq 0 ] || rc=1
exit "$rc"
