#!/usr/bin/env bash
# Serves the KMS Sandbox console on http://127.0.0.1:8080 (scripts/serve.sh calls this after
# scripts/setup.sh). Two ways:
#
#   scripts/serve-console.sh            trunk serve --release: builds the console, serves it and
#                                       rebuilds when web/ or crates/ change (first build ~5 min
#                                       on 2 cores, later ones less)
#   CONSOLE_DEV=1 scripts/serve-console.sh
#                                       the same with a debug build (faster to build, larger and
#                                       slower page)
#   CONSOLE_STATIC=1 scripts/serve-console.sh
#                                       trunk build --release into dist/, then a plain static
#                                       server over dist/ (tests/e2e/server.mjs), as any static
#                                       host would serve it; also under /some/sub/path/
#
# PORT and ADDRESS override 127.0.0.1:8080; other arguments go to `trunk serve`. Uses no
# network: Trunk.toml sets `offline = true` and the tools come from scripts/setup.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
ADDRESS=${ADDRESS:-127.0.0.1}
PORT=${PORT:-8080}

command -v trunk >/dev/null 2>&1 || { echo "[serve-console] trunk not found: run scripts/setup.sh" >&2; exit 1; }

if [ "${CONSOLE_STATIC:-0}" = 1 ]; then
  echo "[serve-console] trunk build --release (dist/)"
  trunk build --release
  echo "[serve-console] serving dist/ on http://$ADDRESS:$PORT/ (and /some/sub/path/)"
  exec node tests/e2e/server.mjs dist --host "$ADDRESS" --port "$PORT" --base /some/sub/path/
fi

release=(--release)
[ "${CONSOLE_DEV:-0}" = 1 ] && release=()
echo "[serve-console] trunk serve ${release[*]} on http://$ADDRESS:$PORT/"
exec trunk serve "${release[@]}" --address "$ADDRESS" --port "$PORT" "$@"
