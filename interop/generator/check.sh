#!/usr/bin/env bash
# Drift check (CI): regenerates every generated file from interop/include/nplug in memory and exits non-zero,
# listing each file that is missing, differs (with its first differing line) or is stale, when the committed
# output is not exactly what the generator produces. Fix: `dotnet run --project interop/generator -- --write`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec dotnet run --project "$root/interop/generator/NativePlugins.Generator.csproj" -c Release -- --check --root "$root"
