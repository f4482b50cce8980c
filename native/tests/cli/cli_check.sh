#!/usr/bin/env bash
# cli_check.sh - run a command and check its exit code and output (used by ctest for nplug-c-host).
#   cli_check.sh [--rc N] [--stdin FILE] [--stdout-equals FILE] [--stdout-has TEXT]... [--stderr-has TEXT]...
#                [--stdout-lacks TEXT]... -- command args...
set -u
rc_expected=0 stdin=/dev/null stdout_equals=""
stdout_has=() stderr_has=() stdout_lacks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rc) rc_expected=$2; shift 2 ;;
    --stdin) stdin=$2; shift 2 ;;
    --stdout-equals) stdout_equals=$2; shift 2 ;;
    --stdout-has) stdout_has+=("$2"); shift 2 ;;
    --stdout-lacks) stdout_lacks+=("$2"); shift 2 ;;
    --stderr-has) stderr_has+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "cli_check.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" <"$stdin" >"$out" 2>"$err"
rc=$?
fail=0
complain() { echo "FAIL: $*"; fail=1; }
[ "$rc" -eq "$rc_expected" ] || complain "exit code $rc, expected $rc_expected"
if [ -n "$stdout_equals" ] && ! cmp -s "$out" "$stdout_equals"; then
  complain "stdout differs from $stdout_equals:"; diff "$stdout_equals" "$out" | head -20
fi
for t in ${stdout_has[@]+"${stdout_has[@]}"}; do grep -qF -- "$t" "$out" || complain "stdout lacks: $t"; done
for t in ${stdout_lacks[@]+"${stdout_lacks[@]}"}; do ! grep -qF -- "$t" "$out" || complain "stdout has: $t"; done
for t in ${stderr_has[@]+"${stderr_has[@]}"}; do grep -qF -- "$t" "$err" || complain "stderr lacks: $t"; done
echo "command: $*"
echo "--- stdout"; head -c 4000 "$out"
echo "--- stderr"; head -c 4000 "$err"
exit $fail
