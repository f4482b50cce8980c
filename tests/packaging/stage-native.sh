#!/usr/bin/env bash
# The native half of the stage (README.md): the C SDK installed into <stage>/prefix by its own CMake install rules,
# and the Rust crates nplug-abi and nplug-sdk as `cargo package` made them, unpacked into <stage>/crates/<name>/.
# Usage: stage-native.sh <stage-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: stage-native.sh <stage-dir>" >&2; exit 2; }
source "$(dirname "$0")/lib.sh" "$1"

# ---- CMake: a fresh build of the SDK parts only (NP_SDK_ONLY), installed as native/c-sdk/README.md shows ---------
build="$np_stage/native-build"
np_step "cmake: configure the SDK ($build)"
rm -rf "$build" "$np_prefix"
cmake -S "$np_repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$np_prefix" -DNP_SDK_ONLY=ON \
  >"$build.log" 2>&1 || { cat "$build.log" >&2; exit 1; }
np_step "cmake: build and install into $np_prefix"
{ cmake --build "$build" -j "$(nproc)" && cmake --install "$build"; } >>"$build.log" 2>&1 ||
  { cat "$build.log" >&2; exit 1; }
for f in include/nplug/nplug.h include/nplug_sdk/np_sdk.h lib/libnp_c_sdk.a lib/pkgconfig/nativeplugins.pc \
         lib/cmake/NativePlugins/NativePluginsConfig.cmake lib/cmake/NativePlugins/NplugPlugin.cmake bin/nplug-c-host \
         bin/nplug-scan; do
  [ -e "$np_prefix/$f" ] || { echo "stage-native: the install did not produce $np_prefix/$f" >&2; exit 1; }
done

# ---- Rust: cargo package, as for a registry, then unpacked --------------------------------------------------------
# nplug-sdk's packaged manifest names nplug-abi by version only (a registry dependency). --exclude-lockfile: a
# library's Cargo.lock means nothing to its dependents, and writing one would resolve nplug-abi from crates.io
# (offline: impossible). --allow-dirty: a working tree may have local changes. Nothing in the repository is written.
pack="$np_stage/cargo-package"
rm -rf "$np_crates" "$pack"
mkdir -p "$np_crates"
package_crate() { # <name> <manifest>
  local name="$1" manifest="$2"
  np_step "cargo package $name"
  (cd "$np_stage" && cargo package --offline --no-verify --allow-dirty --exclude-lockfile --quiet \
    --manifest-path "$np_repo/$manifest" --target-dir "$pack") ||
    { echo "stage-native: cargo package of $name ($manifest) failed" >&2; exit 1; }
  local crate="$pack/package/$name-$np_version.crate"
  [ -f "$crate" ] || { echo "stage-native: $crate missing: is $manifest at version $np_version (interop/VERSION)?" >&2; exit 1; }
  cp "$crate" "$np_crates/"
  mkdir -p "$np_crates/$name"
  tar -xzf "$crate" -C "$np_crates/$name" --strip-components=1
}
locks_before="$(cd "$np_repo" && sha256sum interop/bindings/rust/Cargo.lock native/rust/Cargo.lock)"
package_crate nplug-abi interop/bindings/rust/Cargo.toml
package_crate nplug-sdk native/rust/nplug-sdk/Cargo.toml
[ "$(cd "$np_repo" && sha256sum interop/bindings/rust/Cargo.lock native/rust/Cargo.lock)" = "$locks_before" ] ||
  { echo "stage-native: cargo package changed a Cargo.lock of the repository (git diff '*Cargo.lock')" >&2; exit 1; }
# The packaged nplug-sdk must name nplug-abi by this version (nothing else resolves offline).
awk -v want="version = \"$np_version\"" '/^\[/ { dep = ($0 == "[dependencies.nplug-abi]") } dep && $0 == want { ok = 1 }
  END { exit !ok }' "$np_crates/nplug-sdk/Cargo.toml" ||
  { echo "stage-native: $np_crates/nplug-sdk/Cargo.toml does not depend on nplug-abi $np_version" >&2; exit 1; }
np_step "native stage ready: $np_prefix, $np_crates"
