#!/usr/bin/env bash
# ABI conformance with `nplug check` (src/NativePlugins.Conformance), run by tests/run-all.sh after the native build:
#   1. every sample plugin library in <build>/plugins and <build>/plugins-hosted, and every example plugin in
#      <build>/examples and <build>/examples-hosted, passes every check (exit 0), the interface checks included for
#      plugins of the examples' own interfaces (--interface <manifest>);
#   2. every deliberately broken library in <build>/fixtures/conformance fails EXACTLY the checks that
#      native/fixtures/conformance/expected.txt names (exit 1), and the correct fixtures fail none (exit 0), each run
#      with the options its line gives (the greeter fixtures: --interface <acme.greeter/1 manifest>);
#   3. the manifest and the built fixtures agree (no fixture silently dropped from either side).
# Fails when no sample plugin was built: an empty plugins folder is a broken build, not a green run.
# JUnit reports of the sample runs are written to $NPLUG_CHECK_REPORTS (default <build>/conformance-reports).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="${NPLUG_BUILD_DIR:-$root/build/native}"
reports="${NPLUG_CHECK_REPORTS:-$build/conformance-reports}"
manifest="$root/native/fixtures/conformance/expected.txt"
mkdir -p "$reports"

# Sample plugins that need options have no meaningful defaults; these are their documented example configs.
sample_configs=(
  -c "org.nativeplugins.c.grep=pattern=error"
  -c "org.nativeplugins.rust.json-field=field=user"
  -c "org.nativeplugins.cs.regex=pattern=error"
)
# The user interfaces of the examples (interop/interfaces.md): a sample plugin that implements one is checked against
# its bindgen manifest; for the others the interface checks are skipped ("no plugin ... lists an interface").
sample_interfaces=(
  --interface "$root/tests/examples/greeter/generated/layout/greeter.layout.g.json"
)

echo "conformance: building nplug"
dotnet build src/NativePlugins.Cli -c Release -p:NplugSkipNativeBuild=true -nologo -v quiet >"$reports/build.log" 2>&1 \
  || { cat "$reports/build.log"; exit 1; }
nplug="$(dotnet msbuild src/NativePlugins.Cli -nologo -getProperty:TargetDir -p:Configuration=Release)nplug"
[ -x "$nplug" ] || { echo "conformance: $nplug was not built" >&2; exit 1; }

failures=0
fail() { echo "  FAIL $*"; failures=$((failures + 1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs_since() { local ms=$(($(now_ms) - $1)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

# ---- 1. sample plugins: all checks pass ----------------------------------------------------------------------------
shopt -s nullglob
samples=("$build"/plugins/*.so "$build"/plugins-hosted/*.so "$build"/examples/*.so "$build"/examples-hosted/*.so)
native_samples=("$build"/plugins/*.so)
hosted_samples=("$build"/plugins-hosted/*.so)
if [ ${#native_samples[@]} -eq 0 ] || [ ${#hosted_samples[@]} -eq 0 ]; then
  echo "conformance: no plugin library in $build/plugins or $build/plugins-hosted: the native build produced no sample plugin of a mode" >&2
  exit 1
fi
echo "conformance: ${#samples[@]} sample plugin libraries"
for lib in "${samples[@]}"; do
  name="$(basename "$(dirname "$lib")")-$(basename "$lib" .so)"
  start=$(now_ms)
  if "$nplug" check "${sample_configs[@]}" "${sample_interfaces[@]}" --junit "$reports/$name.xml" "$lib" >"$reports/$name.txt" 2>&1; then
    printf '  pass %-48s %5s s  %s\n' "${lib#"$build"/}" "$(secs_since "$start")" "$(tail -n 1 "$reports/$name.txt")"
  else
    fail "${lib#"$build"/} (exit $?): a sample plugin must pass every check"
    sed 's/^/      /' "$reports/$name.txt"
  fi
done

# A real Rust panic (the Rust SDK's panic fixture documents the record that triggers it): P7 end to end.
panic_fixture="$build/fixtures/libnp_rust_fixture_panic.so"
[ -f "$panic_fixture" ] || { echo "conformance: $panic_fixture missing (the Rust panic fixture was not built)" >&2; exit 1; }
if "$nplug" check --panic-record panic --check panic.poisoning --json "$panic_fixture" >"$reports/rust-panic.json" 2>&1 \
    && grep -q '"verdict": "pass"' "$reports/rust-panic.json"; then
  echo "  pass fixtures/libnp_rust_fixture_panic.so: a real Rust panic gives NP_ERR_PANIC and poisons the instance"
else
  fail "fixtures/libnp_rust_fixture_panic.so: panic.poisoning did not pass"
  sed 's/^/      /' "$reports/rust-panic.json"
fi

# ---- 2. conformance fixtures: exactly the expected checks fail -----------------------------------------------------
fixtures="$build/fixtures/conformance"
[ -d "$fixtures" ] || { echo "conformance: $fixtures missing (native/fixtures/conformance not built)" >&2; exit 1; }
listed=$(grep -v '^[[:space:]]*#' "$manifest" | awk 'NF { print $1 }' | sort)
built=$(cd "$fixtures" && ls -1 *.so | sort)
if [ "$listed" != "$built" ]; then
  fail "expected.txt and $fixtures disagree:"
  diff <(echo "$listed") <(echo "$built") | sed 's/^/      /' || true
fi

echo "conformance: $(echo "$listed" | wc -l) fixtures"
while read -r lib expected options; do
  [ -f "$fixtures/$lib" ] || continue
  read -r -a extra <<<"$options"
  start=$(now_ms)
  set +e
  json=$("$nplug" check --json "${extra[@]}" "$fixtures/$lib" 2>"$reports/$lib.stderr")
  rc=$?
  set -e
  # The JSON report is indented one member per line; "check" precedes "verdict" in every result.
  got=$(printf '%s\n' "$json" | awk -F'"' '/^ *"check": / { c = $4 } /^ *"verdict": "fail"/ { print c }' | sort -u | paste -sd, -)
  got=${got:--}
  want=$(echo "$expected" | tr ',' '\n' | sort -u | paste -sd, -)
  want_rc=1; [ "$want" = "-" ] && want_rc=0
  secs=$(secs_since "$start")
  if [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
    printf '  pass %-40s %5s s  fails: %s\n' "$lib" "$secs" "$got"
  else
    fail "$lib: expected failing [$want] exit $want_rc, got [$got] exit $rc"
    printf '%s\n' "$json" | awk -F'"' '/^ *"check": / { c = $4 } /^ *"summary": / { s = $4 } /^ *"verdict": "fail"/ { f = 1 } /^ *"durationMs"/ && f { print "      " c ": " s; f = 0 }'
    sed 's/^/      stderr: /' "$reports/$lib.stderr" | tail -n 5
  fi
done < <(grep -v '^[[:space:]]*#' "$manifest" | awk 'NF')

if [ "$failures" -ne 0 ]; then
  echo "conformance: $failures failure(s)"
  exit 1
fi
echo "conformance: all sample plugins pass, every fixture is flagged exactly as expected"
