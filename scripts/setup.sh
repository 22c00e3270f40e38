#!/usr/bin/env bash
# Installs everything KMS Sandbox needs to build, test and serve, and skips what is already there.
# Safe to run again and again; safe as root on Debian (uses sudo only when not root).
#
#   wasm32 target        rustup target add wasm32-unknown-unknown
#   wasm-bindgen CLI     cargo install wasm-bindgen-cli --version <the wasm-bindgen in Cargo.lock>
#   trunk 0.21.14        cargo install --locked trunk --version 0.21.14
#   wasm-pack            cargo install --locked wasm-pack
#   cargo-deny 0.18.3    cargo install --locked cargo-deny --version 0.18.3
#   Chromium + driver    apt-get install -y chromium chromium-driver
#   npm packages         npm ci in every folder of the repo that has a package-lock.json
#   wasm-opt 132         npm install binaryen@132 into <repo>/node_modules (Debian's binaryen is too old)
#
# The tools land in ~/.cargo/bin and <repo>/node_modules/.bin. Scripts that build must put both
# on PATH, <repo>/node_modules/.bin first (so its wasm-opt wins over any other):
#   export PATH="<repo>/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# scripts/test.sh, scripts/serve.sh and scripts/bench.sh do that before calling anything else.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132

say()  { printf '[setup] %s\n' "$*"; }
skip() { printf '[setup] ok: %s\n' "$*"; }
die()  { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $* (not root, and no sudo)"; fi
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup first)"
command -v rustup >/dev/null 2>&1 || die "rustup not found (needed for the wasm32 target)"
command -v npm >/dev/null 2>&1 || die "npm not found (install Node.js 20+ first)"

# --- wasm32 target -------------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  skip "rust target wasm32-unknown-unknown"
else
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- wasm-bindgen CLI: must equal the wasm-bindgen crate the workspace links -----------------
# Cargo.lock decides; before any crate depends on wasm-bindgen, fall back to the "=X" pin in the
# workspace Cargo.toml.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
  "$ROOT/Cargo.lock" 2>/dev/null || true)
if [ -z "$wb_version" ]; then
  wb_version=$(sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n 1)
fi
if [ -z "$wb_version" ]; then
  skip "wasm-bindgen CLI not needed (no wasm-bindgen in Cargo.lock or Cargo.toml)"
else
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" = "$wb_version" ]; then
    skip "wasm-bindgen CLI $wb_version"
  else
    # Not --locked: the CLI's own lockfile pins a webpki-roots the registry lacks.
    say "cargo install wasm-bindgen-cli --version $wb_version (have: ${have:-none}; takes ~4 min)"
    cargo install wasm-bindgen-cli --version "$wb_version" --force
  fi
fi

# --- trunk -------------------------------------------------------------------------------------
have=$(trunk --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" = "$TRUNK_VERSION" ]; then
  skip "trunk $TRUNK_VERSION"
else
  # trunk 0.22 needs a newer rustc than this toolchain has; pin 0.21.14.
  say "cargo install --locked trunk --version $TRUNK_VERSION (have: ${have:-none}; takes ~8 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

# --- wasm-pack -----------------------------------------------------------------------------------
if have=$(wasm-pack --version 2>/dev/null); then
  skip "$have"
else
  say "cargo install --locked wasm-pack (takes ~3 min)"
  cargo install --locked wasm-pack
fi

# --- cargo-deny (supply-chain checks of scripts/test.sh; deny.toml) ------------------------------
DENY_VERSION=0.18.3
if have=$(cargo deny --version 2>/dev/null) && [ "$have" = "cargo-deny $DENY_VERSION" ]; then
  skip "$have"
else
  say "cargo install --locked cargo-deny --version $DENY_VERSION (have: ${have:-none}; takes ~6 min)"
  cargo install --locked cargo-deny --version "$DENY_VERSION" --force
fi

# --- Chromium and chromedriver (Debian's, same version; never a downloaded browser) -------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  skip "chromium and chromedriver in /usr/bin"
else
  say "apt-get install -y chromium chromium-driver"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# --- npm packages of the repo's node folders -------------------------------------------------------
# `npm ci` in each folder with a package-lock.json; a stamp of the lockfile's hash skips folders
# whose node_modules already match it.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  rel=${dir#"$ROOT"/}
  stamp="$dir/node_modules/.setup-lock-sha256"
  want=$(sha256sum "$lock" | awk '{print $1}')
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    skip "npm packages in $rel"
  else
    say "npm ci in $rel"
    (cd "$dir" && npm ci --no-audit --no-fund)
    echo "$want" >"$stamp"
  fi
done < <(find "$ROOT" \( -name node_modules -o -name target -o -name dist -o -name .git \) -prune \
           -o -name package-lock.json -type f -print | sort)

# --- wasm-opt from npm's binaryen, first on PATH ----------------------------------------------------
if "$ROOT/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION\b"; then
  skip "wasm-opt $BINARYEN_VERSION in node_modules/.bin"
else
  say "npm install binaryen@$BINARYEN_VERSION into $ROOT/node_modules (wasm-opt)"
  (cd "$ROOT" && npm install --no-save --no-package-lock --no-audit --no-fund \
     --prefix "$ROOT" "binaryen@$BINARYEN_VERSION")
fi

say "done. Tools are in $CARGO_BIN and $ROOT/node_modules/.bin; to use them in your shell:"
say "  export PATH=\"$ROOT/node_modules/.bin:$CARGO_BIN:\$PATH\""
