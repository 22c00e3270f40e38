#!/usr/bin/env bash
# Runs every test of KMS Sandbox, from a fresh clone: installs the tools (scripts/setup.sh), then
#   kms-core   cargo test -p kms-core -p kms-fuzz (native unit, integration and doc tests; a
#                                                short run of each fuzz loop)
#   kms-cli    cargo test -p kms-cli -p kms-terraform (the AWS CLI and Terraform in the page,
#                                                natively)
#   deny       cargo deny check                  (bans, licenses, sources; advisories when the
#                                                RustSec database can be fetched)
#   clippy     cargo clippy --all-targets        (warnings are reported, never fail the run;
#                                                CLIPPY_WASM=1 adds the wasm crates)
#   kms-web    scripts/test-shell.sh             (browser tests of the shell, if the script exists)
#   console    scripts/test-console.sh           (end-to-end tests of the console, if it exists)
#   package    scripts/test-package.sh           (the npm package: packed, installed into fresh
#                                                Node ESM/CommonJS/Vite/plain projects, run)
# and prints a summary with the test counts of each suite. Exits non-zero if any suite fails.
# Chromium processes started by the run are killed when each suite ends (found by an
# environment marker they inherit, so browsers of other runs on the machine are left alone).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/kms-sandbox-test.XXXXXX")
# Every process this run starts inherits this variable; stray browsers are found by it.
export KMS_SANDBOX_TEST_RUN="$$-$(date +%s%N)"

# shellcheck source=lib/browsers.sh
source "$ROOT/scripts/lib/browsers.sh"
trap 'kill_our_browsers; remove_run_tmp; rm -rf "$LOGS"' EXIT
trap 'exit 130' INT TERM

# Test counts from a log: libtest / wasm-bindgen-test ("test result: ... N passed; N failed;
# N ignored"), Playwright ("N passed", "N failed", "N skipped" lines) and node --test
# ("# pass N", "# fail N", "# skipped N"). Prints "passed failed ignored".
count_tests() {
  sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' "$1" | awk '
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed/) p += $i
        if ($(i+1) ~ /^failed/) f += $i
        if ($(i+1) ~ /^ignored/) s += $i
      }
      next
    }
    /^ *[0-9]+ passed( |$|\()/  { p += $1; next }
    /^ *[0-9]+ failed( |$)/     { f += $1; next }
    /^ *[0-9]+ (skipped|did not run)( |$)/ { s += $1; next }
    /^(#|ℹ) pass [0-9]+$/      { p += $3; next }
    /^(#|ℹ) fail [0-9]+$/      { f += $3; next }
    /^(#|ℹ) (skipped|todo) [0-9]+$/ { s += $3; next }
    END { printf "%d %d %d\n", p, f, s }'
}

SUITES=()     # rows of the summary: "name|result|passed|failed|ignored|seconds|note"
any_failed=0

# run_suite NAME COMMAND...: runs it with its output shown and logged, records the result.
run_suite() {
  local name=$1; shift
  local log="$LOGS/${name//[^a-zA-Z0-9]/_}.log" start=$SECONDS rc=0
  echo
  echo "==== $name: $* ===="
  "$@" 2>&1 | tee "$log" || rc=$?
  kill_our_browsers
  local counts result
  counts=$(count_tests "$log")
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED(rc=$rc)"; any_failed=1; fi
  SUITES+=("$name|$result|${counts// /|}|$((SECONDS - start))|")
}

skip_suite() { SUITES+=("$1|skipped|-|-|-|-|$2"); }

echo "==== setup: scripts/setup.sh ===="
setup_start=$SECONDS
bash scripts/setup.sh
echo "[test] setup took $((SECONDS - setup_start)) s"

# Formatting is reported, never fatal.
if cargo fmt --all --check >/dev/null 2>&1; then fmt_note="clean"
else fmt_note="unformatted files (run: cargo fmt --all)"; fi

run_suite "kms-core" cargo test -p kms-core -p kms-fuzz
run_suite "kms-cli" cargo test -p kms-cli -p kms-terraform

# Supply chain. The RustSec database lives on github.com, which these machines may not reach:
# advisories are checked when it can be fetched, and the summary says when it could not.
deny_checks=(bans licenses sources)
if timeout 60 cargo deny fetch db >/dev/null 2>&1; then deny_checks+=(advisories); deny_note=""
else deny_note="advisories not checked: the RustSec database could not be fetched"; fi
run_suite "deny" cargo deny --log-level error check "${deny_checks[@]}"
[ -z "$deny_note" ] || SUITES[-1]="${SUITES[-1]%|}|$deny_note"

# Clippy, warn only: the engine (the workspace's default member) with its tests. The wasm crates
# too with CLIPPY_WASM=1 (a check build of the whole browser side: minutes on 2 cores).
clippy_start=$SECONDS
clippy_log="$LOGS/clippy.log"
echo
echo "==== clippy (warnings only, never fails the run) ===="
clippy_rc=0
{ cargo clippy --all-targets && \
  if [ "${CLIPPY_WASM:-0}" = 1 ]; then
    cargo clippy --workspace --exclude kms-core --target wasm32-unknown-unknown
  fi; } 2>&1 | tee "$clippy_log" || clippy_rc=$?
clippy_warnings=$(grep '^warning: ' "$clippy_log" | grep -vc 'generated [0-9]* warning' || true)
clippy_errors=$(grep '^error' "$clippy_log" | grep -vc '^error: could not compile' || true)
clippy_note="$clippy_warnings warnings, $clippy_errors errors"
[ "$clippy_rc" -eq 0 ] || clippy_note="$clippy_note (clippy exited $clippy_rc; not counted as a failure)"
clippy_secs=$((SECONDS - clippy_start))

for pair in "kms-web:scripts/test-shell.sh" "console:scripts/test-console.sh" \
            "package:scripts/test-package.sh"; do
  name=${pair%%:*}; script=${pair#*:}
  if [ -f "$script" ]; then run_suite "$name" bash "$script"
  else skip_suite "$name" "$script not present yet"; fi
done

# ---- summary ----------------------------------------------------------------------------------
total_p=0; total_f=0; total_s=0
echo
echo "==================================== summary ===================================="
printf '%-10s %-14s %7s %7s %8s %6s  %s\n' suite result passed failed ignored secs note
for row in "${SUITES[@]}"; do
  IFS='|' read -r name result p f s secs note <<<"$row"
  printf '%-10s %-14s %7s %7s %8s %6s  %s\n' "$name" "$result" "$p" "$f" "$s" "$secs" "$note"
  [ "$p" = "-" ] && continue
  total_p=$((total_p + p)); total_s=$((total_s + s))
  # A suite that failed before reporting any failed test (a build error) still counts as one.
  if [ "$result" != ok ] && [ "$f" -eq 0 ]; then f=1; fi
  total_f=$((total_f + f))
done
printf '%-10s %-14s %7s %7s %8s %6s  %s\n' clippy warn-only - - - "$clippy_secs" "$clippy_note"
printf '%-10s %-14s %7s %7s %8s %6s  %s\n' fmt warn-only - - - - "$fmt_note"
echo "================================================================================="
echo "total: $total_p passed, $total_f failed, $total_s skipped"
exit "$any_failed"
