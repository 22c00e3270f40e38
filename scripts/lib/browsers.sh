# Sourced by scripts/test.sh and scripts/test-shell.sh: kill_our_browsers kills the Chromium and
# chromedriver processes carrying this run's marker (KMS_SANDBOX_TEST_RUN in their environment),
# and all their descendants: Chromium starts its zygotes, renderers and GPU process with a
# cleaned environment, so they carry no marker. Browsers of other runs are left alone.
#
# A killed browser, and every chromedriver session of wasm-bindgen-test-runner, leaves its profile
# behind in the temp directory (org.chromium.Chromium.scoped_dir.*, about 95 MB each, 20 a run),
# which filled this machine's disk over many runs. So the first script of a run to source this
# file points TMPDIR at a directory of its own, and remove_run_tmp (at its exit) deletes it.
if [ -z "${KMS_SANDBOX_TMP:-}" ]; then
  KMS_SANDBOX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kms-sandbox-run.XXXXXX")
  export KMS_SANDBOX_TMP TMPDIR="$KMS_SANDBOX_TMP"
  KMS_SANDBOX_TMP_OWNER=$$
fi

remove_run_tmp() {
  if [ "${KMS_SANDBOX_TMP_OWNER:-}" = "$$" ]; then rm -rf "$KMS_SANDBOX_TMP"; fi
}
kill_our_browsers() {
  local table roots=() pids p comm
  table=$(ps -e -o pid=,ppid=,comm=)
  while read -r p _ comm; do
    case "$comm" in chrom*|headless_shell) ;; *) continue ;; esac
    # (A process may be gone by now; its /proc entry with it.)
    if grep -qzx "KMS_SANDBOX_TEST_RUN=$KMS_SANDBOX_TEST_RUN" "/proc/$p/environ" 2>/dev/null; then
      roots+=("$p")
    fi
  done <<<"$table"
  [ "${#roots[@]}" -eq 0 ] && return 0
  pids=$(awk -v roots="${roots[*]}" -v self="$$" '
    { parent[$1] = $2; ids[NR] = $1 }
    END {
      n = split(roots, r, " "); for (i = 1; i <= n; i++) ours[r[i]] = 1
      do {
        added = 0
        for (k in ids) { id = ids[k]; if (!(id in ours) && (parent[id] in ours)) { ours[id] = 1; added = 1 } }
      } while (added)
      for (id in ours) if (id != self) print id
    }' <<<"$table" | sort -n | tr '\n' ' ')
  echo "[${KMS_SANDBOX_LOG_TAG:-test}] killing leftover browser processes of this run: $pids"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  sleep 1
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}
