#!/usr/bin/env bash
# Serves the KMS Sandbox console on http://127.0.0.1:8080: installs the tools (scripts/setup.sh),
# then runs scripts/serve-console.sh (trunk) with any arguments given here.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh
if [ ! -f scripts/serve-console.sh ]; then
  echo "[serve] scripts/serve-console.sh is not there yet: the console cannot be served." >&2
  exit 1
fi
echo "[serve] scripts/serve-console.sh $*  (console on http://127.0.0.1:8080)"
exec bash scripts/serve-console.sh "$@"
