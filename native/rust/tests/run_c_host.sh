#!/bin/sh
# Runs one nplug-c-host command for ctest and checks what it did.
#   run_c_host.sh [--input FILE] [--stdout FILE] [--exit N] [--stdout-re RE]... [--stderr-re RE]... -- HOST ARGS...
# --stdout FILE: stdout must equal FILE exactly; --exit N: expected exit code (default 0); the regexes (grep -E)
# must each match some line of stdout / stderr. On failure prints what happened and exits 1.
set -u
input=/dev/null expect_out="" expect_exit=0 out_res="" err_res=""
nl='
'
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift 2 ;;
    --stdout) expect_out=$2; shift 2 ;;
    --exit) expect_exit=$2; shift 2 ;;
    --stdout-re) out_res="$out_res$2$nl"; shift 2 ;;
    --stderr-re) err_res="$err_res$2$nl"; shift 2 ;;
    --) shift; break ;;
    *) echo "run_c_host.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$@" <"$input" >"$tmp/out" 2>"$tmp/err"
code=$?
fail() {
  echo "FAIL: $*"
  echo "command: $*"
  echo "--- stdout"; cat "$tmp/out"
  echo "--- stderr"; cat "$tmp/err"
  exit 1
}
[ "$code" = "$expect_exit" ] || fail "exit code $code, expected $expect_exit"
if [ -n "$expect_out" ]; then
  diff -u "$expect_out" "$tmp/out" || fail "stdout differs from $expect_out"
fi
check() { # $1 = regexes (newline separated), $2 = file, $3 = name
  printf '%s' "$1" | while IFS= read -r re; do
    [ -z "$re" ] && continue
    grep -Eq -- "$re" "$2" || { echo "$3 does not match /$re/"; exit 1; }
  done
}
msg=$(check "$out_res" "$tmp/out" stdout) || fail "$msg"
msg=$(check "$err_res" "$tmp/err" stderr) || fail "$msg"
echo "ok (exit $code)"
