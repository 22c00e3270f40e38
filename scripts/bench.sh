#!/usr/bin/env bash
# Benchmarks the JS API (KmsSandbox.send) in headless Chromium and prints tables of numbers:
# Encrypt / Decrypt / GenerateDataKey ops per second (memory and IndexedDB sandboxes, sequential
# and batched), the same Encrypt and Decrypt through the official @aws-sdk/client-kms with the
# sandbox's requestHandler beside the SDK's own ceiling in the same page, what the CloudTrail event history costs symmetric Encrypt (the same calls with
# `trailEnabled` on and off, events written to IndexedDB inside the timing), Sign ops per second
# (ECC_NIST_P256, RSA_2048) and the median CreateKey time per key spec; then the npm package
# kms-sandbox: its packed and unpacked size, and Encrypt calls per second in Node.js through the
# official @aws-sdk/client-kms (tests/bench/node-sdk.mjs); and the code bytes of kms-web's wasm
# by crate (scripts/lib/wasm-size.mjs). It measures; it asserts nothing about speed.
#
#   scripts/bench.sh                 full run (a few minutes, most of it RSA key generation)
#   BENCH_QUICK=1 scripts/bench.sh   short smoke run
# Knobs (see tests/bench/run.mjs): BENCH_N, BENCH_ROUNDS, BENCH_BATCH, BENCH_SIGN_N, BENCH_SDK_N, BENCH_TRAIL_N,
# BENCH_TRAIL_ROUNDS, BENCH_TRAIL_SLICE, BENCH_BUDGET_S, BENCH_JSON; tests/bench/node-sdk.mjs: BENCH_NODE_N,
# BENCH_NODE_ROUNDS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh

# One release build for everything: the npm package's (scripts/build-package.sh runs
# `wasm-pack build --release --target web` into target/package/wasm, gitignored, and assembles
# packages/kms-sandbox/dist; it skips the wasm build when it is up to date).
PKG_DIR="$ROOT/target/package/wasm"
bash scripts/build-package.sh
echo "[bench] kms_web_bg.wasm: $(stat -c %s "$PKG_DIR/kms_web_bg.wasm") bytes"

BENCH_PKG_DIR="$PKG_DIR" node tests/bench/run.mjs

# ---- what each crate costs the shipped wasm (cargo's output, which still has its names) --------
echo
node scripts/lib/wasm-size.mjs "${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/release/kms_web.wasm" 25

# ---- the npm package ------------------------------------------------------------------------------
echo
(cd packages/kms-sandbox && npm pack --dry-run --json --ignore-scripts 2>/dev/null) | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const [p] = JSON.parse(s);
    const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
    console.log(`npm package ${p.name}@${p.version}: packed ${p.size} bytes (${kb(p.size)}), unpacked ${p.unpackedSize} bytes (${kb(p.unpackedSize)}), ${p.entryCount} files`);
  });'
node tests/bench/node-sdk.mjs
