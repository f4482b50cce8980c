#!/usr/bin/env bash
# `nplug new` as a user runs it (README.md of this folder): the staged nplug tool creates a plugin project of each
# language, an np.transform/1 and one implementing an interface of its own (--interface acme.hello/1, whose bindings
# nplug new generates), in fresh folders outside the repository; each builds with its ecosystem's own command
# against the stage only (the CMake prefix, the NuGet feed, the Rust crates nplug copies into vendor/), unchanged,
# and passes `nplug check` (with the interface's layout manifest where there is one). Usage: consume-new.sh <stage-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -eq 1 ] || { echo "usage: consume-new.sh <stage-dir>" >&2; exit 2; }
# shellcheck source=lib.sh
source "$here/lib.sh" "$1"

iface=acme.hello/1
manifest=generated/layout/hello.layout.g.json # bindgen's name for include/acme/hello.h, as the projects' READMEs say
work="$(np_consumer_dir new)"
trap 'rm -rf "$work"' EXIT

# new <language> <kind: transform|interface> <plugin-id>: creates <work>/<language>-<kind>, prints its path.
new() {
  local dir="$work/$1-$2"
  if [ "$2" = interface ]; then np_nplug new "$1" "$3" --interface "$iface" --output "$dir" >/dev/null
  else np_nplug new "$1" "$3" --output "$dir" >/dev/null; fi
  echo "$dir"
}

# check <project> <library> <kind>: nplug check as the project's README gives it, then keep the library for the host
# consumer.
check() {
  local args=("$2")
  [ "$3" = interface ] && args+=(--interface "$manifest")
  (cd "$1" && np_nplug check "${args[@]}" >check.log 2>&1) || { cat "$1/check.log" >&2; echo "consume-new: nplug check failed on $1/$2" >&2; exit 1; }
  cp "$1/$2" "$np_plugins/"
}

# run_logged <project> <log> <command...>: runs a build quietly, showing its log when it fails.
run_logged() {
  local dir="$1" log="$2"
  shift 2
  (cd "$dir" && "$@" >"$log" 2>&1) || { cat "$dir/$log" >&2; echo "consume-new: '$*' failed in $dir" >&2; exit 1; }
}

for kind in transform interface; do
  id="com.example.new_c_$kind"
  np_step "nplug new c ($kind): cmake against the prefix, nplug check"
  dir="$(new c "$kind" "$id")"
  run_logged "$dir" configure.log cmake -S . -B build -DCMAKE_PREFIX_PATH="$np_prefix"
  run_logged "$dir" build.log cmake --build build
  check "$dir" "build/lib${id//./_}.so" "$kind"

  id="com.example.new_rust_$kind"
  np_step "nplug new rust ($kind): cargo build --release --offline with the vendored crates, nplug check"
  dir="$(new rust "$kind" "$id")"
  [ -f "$dir/vendor/nplug-sdk/Cargo.toml" ] && [ -f "$dir/vendor/nplug-abi/Cargo.toml" ] \
    || { echo "consume-new: nplug new rust did not vendor nplug-sdk and nplug-abi into $dir/vendor" >&2; exit 1; }
  run_logged "$dir" build.log cargo build --release --offline
  check "$dir" "target/release/lib${id//./_}.so" "$kind"

  id="com.example.new_cs_$kind"
  np_step "nplug new csharp ($kind): dotnet publish against the feed, nplug check"
  dir="$(new csharp "$kind" "$id")"
  np_write_nuget_config "$dir"
  run_logged "$dir" publish.log dotnet publish -c Release -o out -nologo
  check "$dir" "out/lib${id//./_}.so" "$kind"
done

np_step "nplug new rust --rust-sdk: the staged crates by path instead of vendor/, cargo build, nplug check"
# The packaged nplug-sdk names nplug-abi by version; nplug new points that at the crate next to it ([patch.crates-io]).
id=com.example.new_rust_sdk
dir="$work/rust-sdk"
np_nplug new rust "$id" --interface "$iface" --rust-sdk "$np_crates/nplug-sdk" --output "$dir" >/dev/null
[ ! -e "$dir/vendor" ] || { echo "consume-new: --rust-sdk still vendored the crates into $dir/vendor" >&2; exit 1; }
run_logged "$dir" build.log cargo build --release --offline
check "$dir" "target/release/lib${id//./_}.so" interface

np_step "nplug new refuses a non-empty folder"
if np_nplug new c com.example.new_c_transform --output "$work/c-transform" >/dev/null 2>"$work/refused.log"; then
  echo "consume-new: nplug new wrote into the non-empty $work/c-transform" >&2; exit 1
fi
grep -q "exists and is not empty" "$work/refused.log" || { cat "$work/refused.log" >&2; exit 1; }
echo "tests/packaging/consume-new.sh: nplug new c, rust and csharp (transform and $iface) built against the stage and passed nplug check"
