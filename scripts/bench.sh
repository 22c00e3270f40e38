#!/usr/bin/env bash
# Benchmarks the JS API (KmsSandbox.send) in headless Chromium and prints tables of numbers:
# Encrypt / Decrypt / GenerateDataKey ops per second (memory and IndexedDB sandboxes, sequential
# and batched), what the CloudTrail event history costs symmetric Encrypt (the same calls with
# `trailEnabled` on and off, events written to IndexedDB inside the timing), Sign ops per second
# (ECC_NIST_P256, RSA_2048) and the median CreateKey time per key spec. It measures; it asserts
# nothing about speed.
#
#   scripts/bench.sh                 full run (a few minutes, most of it RSA key generation)
#   BENCH_QUICK=1 scripts/bench.sh   short smoke run
# Knobs (see tests/bench/run.mjs): BENCH_N, BENCH_BATCH, BENCH_SIGN_N, BENCH_TRAIL_N,
# BENCH_TRAIL_ROUNDS, BENCH_BUDGET_S, BENCH_JSON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh

# The wasm-pack output goes under target/ (gitignored), away from crates/kms-web/pkg.
PKG_DIR="$ROOT/target/bench/pkg"
echo "[bench] wasm-pack build crates/kms-web --release --target web --out-dir $PKG_DIR"
wasm-pack build crates/kms-web --release --target web --out-dir "$PKG_DIR" --out-name kms_web
echo "[bench] kms_web_bg.wasm: $(stat -c %s "$PKG_DIR/kms_web_bg.wasm") bytes"

BENCH_PKG_DIR="$PKG_DIR" node tests/bench/run.mjs
