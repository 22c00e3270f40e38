#!/usr/bin/env bash
# Long fuzz runs, off CI: every target of crates/kms-fuzz for COUNT inputs (default 1,000,000),
# release build. Prints inputs, seconds and finds per target; a find's input is written to
# target/fuzz-finds/ and makes the exit status 1 (turn it into a regression test).
#
#   scripts/fuzz.sh                    all targets, 1,000,000 inputs each, seed 1
#   scripts/fuzz.sh dispatch 50000 9   one target, a count, a seed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release -p kms-fuzz
exec target/release/kms-fuzz "${1:-all}" "${2:-1000000}" "${3:-1}"
