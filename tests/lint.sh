#!/usr/bin/env bash
# Formatting and lint checks of every language, run by tests/run-all.sh (the README's test command). Each check fails
# the run; none is skipped when its tool is missing (.ci/install-deps.sh installs them).
#   C, C++   clang-format --dry-run --Werror (style: .clang-format) over the hand-written sources git tracks
#   Rust     cargo fmt --check and cargo clippy -D warnings, for both workspaces and the greeter bindings check crate
#   Rust     RUSTDOCFLAGS="-D warnings" cargo doc for the two published crates (nplug-abi, nplug-sdk)
#   C#       dotnet format --verify-no-changes (style: .editorconfig) over NativePlugins.sln
#   version  interop/version.sh check: every copy of the product version equals interop/VERSION
# Generated files (*.g.*) are checked byte for byte by the generator's own --check instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
failed=()

step() { printf '\n--> lint: %s\n' "$*"; }

step "clang-format (C, C++)"
mapfile -t c_files < <(git ls-files '*.c' '*.h' '*.cpp' '*.cc' | grep -v '\.g\.' || true)
[ "${#c_files[@]}" -gt 0 ] || { echo "lint: no C sources found (run from a git checkout)" >&2; exit 1; }
clang-format --dry-run --Werror "${c_files[@]}" || failed+=("clang-format")

for manifest in native/rust/Cargo.toml interop/bindings/rust/Cargo.toml tests/examples/greeter/bindings-check/Cargo.toml; do
  step "cargo fmt --check ($manifest)"
  cargo fmt --all --check --manifest-path "$manifest" || failed+=("cargo fmt $manifest")
  step "cargo clippy -D warnings ($manifest)"
  cargo clippy --offline --quiet --all-targets --manifest-path "$manifest" --target-dir "$root/build/cargo-clippy" \
    -- -D warnings || failed+=("cargo clippy $manifest")
done

# The crates users get (tests/packaging/stage-native.sh packages them): their docs build without a warning.
for manifest in interop/bindings/rust/Cargo.toml native/rust/nplug-sdk/Cargo.toml; do
  step "cargo doc -D warnings ($manifest)"
  RUSTDOCFLAGS="-D warnings" cargo doc --offline --quiet --no-deps --manifest-path "$manifest" \
    --target-dir "$root/build/cargo-doc" || failed+=("cargo doc $manifest")
done

step "interop/version.sh check"
bash interop/version.sh check || failed+=("version")

step "dotnet format --verify-no-changes"
dotnet format NativePlugins.sln --verify-no-changes -v quiet || failed+=("dotnet format")

if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint: FAILED: ${failed[*]} (fix with: clang-format -i, cargo fmt, cargo clippy --fix, dotnet format)" >&2
  exit 1
fi
echo "lint: all checks passed"
