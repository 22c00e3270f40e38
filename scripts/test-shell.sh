#!/usr/bin/env bash
# Browser tests of the shell (crates/kms-web) in headless Chromium: real IndexedDB, real
# WebCrypto, and the official AWS SDK for JavaScript v3 through `sandbox.requestHandler`.
#
#   1. bundles @aws-sdk/client-kms, -iam, -sts, -cloudtrail and -cloudformation (crates/kms-web/tests/js, `npm ci`
#      there if needed) with the local esbuild into crates/kms-web/tests/js/dist/sdk-bundle.js
#      (generated, gitignored; tests/browser/common/mod.rs and tests/browser/sdk.rs import it, so it must exist
#      before the tests compile);
#   2. runs `wasm-pack test --headless --chrome crates/kms-web` with Debian's chromedriver and
#      Chromium (flags in crates/kms-web/webdriver.json);
#   3. builds the package (`wasm-pack build --dev --target web`, into tests/js/dist/pkg) and
#      type-checks its TypeScript declarations with tsc (tests/js/types-check*.ts).
#
# Prints libtest-style "test result: ok. N passed; ..." lines, one per test binary. Extra
# arguments go to the test harness, e.g. `scripts/test-shell.sh -- --include-ignored` or a test
# name filter `scripts/test-shell.sh -- persist`. Chromium and chromedriver processes this run
# started are killed when it ends, whether it passed, failed or timed out.
#
# Environment: CARGO_TARGET_DIR (respected), WASM_BINDGEN_TEST_TIMEOUT (seconds one test binary
# may take in the browser; default 180 here), KMS_WEB_TEST_RELEASE=1 (test a release build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

CRATE="$ROOT/crates/kms-web"
JS="$CRATE/tests/js"

say() { printf '[test-shell] %s\n' "$*"; }
die() { printf '[test-shell] error: %s\n' "$*" >&2; exit 1; }

for tool in wasm-pack wasm-bindgen-test-runner npm node; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH (run scripts/setup.sh first)"
done
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
[ -x "$CHROMEDRIVER" ] || die "$CHROMEDRIVER not found (run scripts/setup.sh first)"
export CHROMEDRIVER

# ---- processes of this run ---------------------------------------------------------------------
# Every process started from here inherits this marker (scripts/test.sh sets its own; reuse it).
# The runner kills chromedriver when a suite times out but can leave Chromium behind; at exit,
# every marked chromedriver/Chromium process and its descendants (Chromium's zygotes and
# renderers run with a cleaned environment, so they carry no marker) are killed by PID.
export KMS_SANDBOX_TEST_RUN="${KMS_SANDBOX_TEST_RUN:-shell-$$-$(date +%s%N)}"
KMS_SANDBOX_LOG_TAG=test-shell
# shellcheck source=lib/browsers.sh
source "$ROOT/scripts/lib/browsers.sh"
trap 'kill_our_browsers; remove_run_tmp' EXIT
trap 'exit 130' INT TERM

# ---- 1. the SDK bundle ---------------------------------------------------------------------------
if [ ! -x "$JS/node_modules/.bin/esbuild" ] || [ ! -d "$JS/node_modules/@aws-sdk/client-kms" ] \
   || [ ! -d "$JS/node_modules/@aws-sdk/client-cloudtrail" ] \
   || [ ! -d "$JS/node_modules/@aws-sdk/client-cloudformation" ]; then
  say "npm ci in crates/kms-web/tests/js"
  (cd "$JS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
say "bundling @aws-sdk/client-kms $(node -p "require('$JS/node_modules/@aws-sdk/client-kms/package.json').version") with esbuild $("$JS/node_modules/.bin/esbuild" --version) into tests/js/dist/sdk-bundle.js"
rm -rf "$JS/dist"
(cd "$JS" && ./node_modules/.bin/esbuild sdk-entry.js --bundle --format=esm --platform=browser \
   --target=es2020 --outfile=dist/sdk-bundle.js --log-level=warning)
[ -s "$JS/dist/sdk-bundle.js" ] || die "esbuild wrote no bundle"

# ---- 2. the browser tests --------------------------------------------------------------------------
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$CRATE/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
profile=()
[ "${KMS_WEB_TEST_RELEASE:-0}" = 1 ] && profile=(--release)
say "wasm-pack test --headless --chrome ${profile[*]} crates/kms-web $* (chromedriver: $CHROMEDRIVER, $("$CHROMEDRIVER" --version | awk '{print $2}'))"
start=$SECONDS
rc=0
wasm-pack test --headless --chrome "${profile[@]}" "$CRATE" "$@" || rc=$?
say "browser tests took $((SECONDS - start)) s (exit $rc)"

# ---- 3. the TypeScript declarations ----------------------------------------------------------------
# The package as users build it (`wasm-pack build --target web`, here a dev build into
# tests/js/dist/pkg), its kms_web.d.ts type-checked by tsc against tests/js/types-check.ts (the
# JS API, strict) and types-check-sdk.ts (KMSClient takes `requestHandler`).
say "wasm-pack build --dev --target web crates/kms-web (declarations), tsc --noEmit"
start=$SECONDS
wasm-pack --quiet build --dev "$CRATE" --target web --out-dir tests/js/dist/pkg --out-name kms_web --no-pack
ts_passed=0 ts_failed=0
for config in tsconfig.json tsconfig.sdk.json; do
  if (cd "$JS" && ./node_modules/.bin/tsc -p "$config"); then
    ts_passed=$((ts_passed + 1)); echo "test typescript ($config) ... ok"
  else
    ts_failed=$((ts_failed + 1)); echo "test typescript ($config) ... FAILED"
  fi
done
ts_result=ok
[ "$ts_failed" -eq 0 ] || { ts_result=FAILED; rc=1; }
echo "test result: $ts_result. $ts_passed passed; $ts_failed failed; 0 ignored; 0 measured; 0 filtered out; finished in $((SECONDS - start)) s"
exit "$rc"
