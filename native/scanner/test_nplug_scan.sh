#!/bin/sh
# ctest scanner.report: nplug-scan's report (format 1, README.md) over a good library, a refused one and one that
# prints to stdout, then over one that crashes it: the last {"start":i} names the library it was loading.
# Usage: test_nplug_scan.sh <nplug-scan> <fixtures-dir>
set -eu
scan=$1 fx=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$scan" "$fx/libnp_fixture_good.so" "$fx/libnp_fixture_init_fails.so" "$fx/scan/libnp_fixture_scan_stdout_noise.so" 2>/dev/null) ||
  fail "nplug-scan exited with $?"
echo "$out" | head -n 1 | grep -q '^{"nplug_scan":1,"host_abi":\[1,' || fail "no format-1 header: $out"
echo "$out" | grep -q '^{"index":0,"ok":true,.*"id":"org.nativeplugins.fixture.good".*"interfaces":\[{"id":"np.transform/1","struct_size":' ||
  fail "the good fixture is not reported: $out"
echo "$out" | grep -q '^{"index":1,"ok":false,"error":"NPH_E_INIT",.*init fails on purpose' || fail "the refusal is not reported: $out"
echo "$out" | grep -q '^{"index":2,"ok":true,.*scan-stdout-noise' || fail "stdout noise corrupted the report: $out"
echo "$out" | grep -q 'noise from' && fail "a library's stdout reached the report: $out"
echo "$out" | tail -n 1 | grep -qx '{"done":3}' || fail "no done line: $out"

set +e
out=$(printf '%s\0%s\0' "$fx/libnp_fixture_good.so" "$fx/scan/libnp_fixture_scan_init_abort.so" | "$scan" --paths-from-stdin 2>/dev/null)
status=$?
set -e
[ "$status" -gt 128 ] || fail "the abort fixture did not kill the scanner (status $status)"
echo "$out" | tail -n 1 | grep -qx '{"start":1}' || fail "the last line does not name the crashing library: $out"

set +e
out=$("$scan" "$fx/scan/libnp_fixture_scan_entry_exit.so" 2>/dev/null)
set -e
echo "$out" | tail -n 1 | grep -qx '{"exit":0}' || fail "exit() in np_entry left no exit marker: $out"
echo "nplug-scan: report, refusal, stdout isolation, crash and exit markers ok"
