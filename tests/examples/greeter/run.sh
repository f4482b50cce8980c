#!/usr/bin/env bash
# Runs the example end to end, as tests/run-all.sh does: the .NET host (host/) loads the greeter of every language
# from the native build (<build>/examples: C, Rust, C# NativeAOT; then the hosted C# build in a host of its own, since
# plugin ids are unique per host) and its output must equal expected-output.txt; then the same with every library in a
# worker process (--isolate: the bindgen proxy, Greeter.Proxy.g.cs), which must print the same.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${NPLUG_BUILD_DIR:-$here/../../../build/native}"
dotnet build "$here/host" -c Release -v q -nologo -p:NplugSkipNativeBuild=true >/dev/null
run() { dotnet "$here/host/bin/Release/net10.0/GreeterHost.dll" "$@"; }
for mode in "" --isolate; do
  actual=$( {
    run $mode "$build/examples/libnp_c_greeter.so" "$build/examples/libgreeter_rust.so" "$build/examples/libnp_cs_greeter.so"
    run $mode "$build/examples-hosted/libnp_cs_greeter.so"
  } 2>&1 )
  if ! diff -u "$here/expected-output.txt" <(printf '%s\n' "$actual"); then
    echo "tests/examples/greeter: the host's output${mode:+ with $mode} differs from expected-output.txt (above)" >&2
    exit 1
  fi
done
echo "tests/examples/greeter: C, Rust and C# (NativeAOT and hosted) greeters answer alike, in-process and isolated"
