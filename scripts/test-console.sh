#!/usr/bin/env bash
# End-to-end tests of the console (web/) in headless Chromium:
#
#   1. cargo test -p kms-console        the console's pure modules (pricing, policies, CLI/SDK
#                                       snippets, envelope format, request builders), natively;
#   2. trunk build --release            the release dist/, exactly what a static host serves;
#   3. a static server on a free port   tests/e2e/server.mjs serves dist/ at / and under
#                                       /some/sub/path/ (the tests use the sub-path, proving
#                                       sub-path hosting; one test also loads the root);
#   4. node --test console, access, trail, cli, templates, durability, specs and backup .test.mjs in tests/e2e/
#                                       Playwright (playwright-core) drives Debian's
#                                       /usr/bin/chromium; a screenshot of every page a test
#                                       visits goes to tests/artifacts/<test>/, and each is also
#                                       an axe-core scan (serious or critical violations fail);
#   5. stops the server.
#
# Prints "test result: ..." (libtest) and "# pass N" / "# fail N" (node --test). Needs what
# scripts/setup.sh installs (trunk, wasm-bindgen, wasm-opt, chromium, npm packages of
# tests/e2e, axe-core among them); no network. Extra arguments go to node --test, e.g.
# `scripts/test-console.sh --test-name-pattern=pricing`. SKIP_BUILD=1 reuses an existing dist/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
E2E="$ROOT/tests/e2e"

say() { printf '[test-console] %s\n' "$*"; }
die() { printf '[test-console] error: %s\n' "$*" >&2; exit 1; }

for tool in trunk wasm-bindgen node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH (run scripts/setup.sh first)"
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || die "${CHROMIUM:-/usr/bin/chromium} not found (run scripts/setup.sh first)"
if [ ! -d "$E2E/node_modules/playwright-core" ] || [ ! -d "$E2E/node_modules/axe-core" ]; then
  say "npm ci in tests/e2e"
  (cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

start=$SECONDS
say "cargo test -p kms-console (pure modules, native)"
cargo test -p kms-console

if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f dist/index.html ]; then
  say "SKIP_BUILD=1: using the existing dist/"
else
  say "trunk build --release (dist/)"
  trunk build --release
fi

# ---- the static server -------------------------------------------------------------------------
SERVER_LOG=$(mktemp "${TMPDIR:-/tmp}/kms-console-server.XXXXXX")
node "$E2E/server.mjs" "$ROOT/dist" --port 0 --base /some/sub/path/ >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -f "$SERVER_LOG"
}
trap stop_server EXIT
origin=""
for _ in $(seq 1 100); do
  origin=$(sed -n 's/^listening //p' "$SERVER_LOG")
  [ -n "$origin" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "the static server did not start"; }
  sleep 0.1
done
[ -n "$origin" ] || die "the static server did not say where it listens"
export CONSOLE_URL="$origin/some/sub/path/"
say "serving dist/ at $origin/ and $CONSOLE_URL"

# ---- the tests ---------------------------------------------------------------------------------
mkdir -p "$ROOT/tests/artifacts"
rc=0
(cd "$E2E" && node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=tap "$@" console.test.mjs access.test.mjs trail.test.mjs cli.test.mjs templates.test.mjs durability.test.mjs specs.test.mjs backup.test.mjs) || rc=$?
say "screenshots in tests/artifacts/; took $((SECONDS - start)) s"
exit "$rc"
