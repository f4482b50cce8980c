#!/usr/bin/env bash
# Runs every test of the project: generated-bindings drift check, lint (formatting and clippy in every language),
# native ctest, cargo test, .NET tests (xunit), the ABI conformance runner over every sample plugin and every broken
# fixture, and the packages consumed outside the repository (tests/packaging). Exits non-zero on any failure.
# This is the README's test command; .ci/run calls it. Every suite it names must exist and run: a missing script,
# manifest or test list fails the run, never skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export NPLUG_BUILD_DIR="${NPLUG_BUILD_DIR:-$root/build/native}"

step() { printf '\n==> %s\n' "$*"; }

step "install build dependencies"
bash .ci/install-deps.sh

step "generated bindings match the header (regenerate and diff)"
bash interop/generator/check.sh

step "example contract bindings match their header (nplug bindgen --check, tests/examples/greeter/README.md)"
dotnet build -c Release src/NativePlugins.Cli -p:NplugSkipNativeBuild=true -v quiet -nologo
(cd tests/examples/greeter && dotnet "$root/src/NativePlugins.Cli/bin/Release/net10.0/nplug.dll" bindgen include/acme/greeter.h \
  --include include --csharp-namespace Acme.Greeter --rust-module greeter --out generated --check)

step "lint: clang-format, cargo fmt, cargo clippy -D warnings, dotnet format (tests/lint.sh)"
bash tests/lint.sh

step "native build (CMake)"
cmake -S . -B "$NPLUG_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$NPLUG_BUILD_DIR" --parallel 2

step "native tests (ctest)"
ctest --test-dir "$NPLUG_BUILD_DIR" --output-on-failure --no-tests=error

for manifest in interop/bindings/rust/Cargo.toml native/rust/Cargo.toml tests/examples/greeter/bindings-check/Cargo.toml; do
  step "cargo test ($manifest)"
  cargo test --offline --release --manifest-path "$manifest" --target-dir "$root/build/cargo"
done

step ".NET tests (xunit)"
# A test project that is not in the solution would silently not run. (The examples' projects are no test projects:
# CMake builds the plugin, tests/examples/greeter/run.sh and tests/packaging/consume-greeter.sh build and run the host.)
missing=$(comm -23 <(git ls-files 'tests/*.csproj' ':!tests/examples/*' | sort) <(dotnet sln NativePlugins.sln list | grep '\.csproj$' | sort))
[ -z "$missing" ] || { echo "test projects missing from NativePlugins.sln (they would not run): $missing" >&2; exit 1; }
dotnet test NativePlugins.sln -c Release -p:NplugSkipNativeBuild=true

step "main job: nplug demo (C, Rust and C# plugins in one pipeline)"
dotnet run -c Release --project src/NativePlugins.Cli -p:NplugSkipNativeBuild=true -- demo > "$NPLUG_BUILD_DIR/demo-output.txt"
grep -q 'records=42 bytes=947 distinct=9' "$NPLUG_BUILD_DIR/demo-output.txt" || { echo "demo output is wrong:" >&2; cat "$NPLUG_BUILD_DIR/demo-output.txt" >&2; exit 1; }

step "example: acme.greeter/1 in C, Rust and C#, called from its .NET host (tests/examples/greeter/run.sh)"
bash tests/examples/greeter/run.sh

step "ABI conformance (nplug check) over samples and fixtures"
bash tests/conformance.sh

step "packages consumed outside the repository: NuGet feed, nplug tool, CMake install, crates (tests/packaging/run.sh)"
bash tests/packaging/run.sh

step "all tests passed"
