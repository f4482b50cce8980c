#!/usr/bin/env bash
# The product version has one source: interop/VERSION (one line, X.Y.Z). CMake (project(VERSION)) and MSBuild
# (src/build/Common.props) read that file; the copies below cannot, so this script checks or stamps them:
#   - the [package] version of every crate (Cargo.toml), and the `version = ` of a path dependency on one of the
#     repository's crates (nplug-sdk names nplug-abi that way, so that `cargo package` can keep the dependency);
#   - the entries of the repository's own crates in every Cargo.lock;
#   - NP_C_SDK_VERSION in the C SDK's np_sdk_common.h (a string literal: a header that plain `cc` users include).
#
#   interop/version.sh check        every copy equals interop/VERSION, else list the stale ones (file:line), exit 1
#   interop/version.sh set X.Y.Z    write X.Y.Z into interop/VERSION and every copy
#
# tests/lint.sh runs `check`. The ABI version is another thing entirely (NP_ABI_MAJOR/MINOR in
# interop/include/nplug/np_version.h) and is not touched here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version_file="$root/interop/VERSION"
header="$root/native/c-sdk/include/nplug_sdk/np_sdk_common.h"

usage() { echo "usage: interop/version.sh check | set <X.Y.Z>" >&2; exit 2; }
is_version() { [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; }

mode="${1:-}"
case "$mode" in
  check) [ $# -eq 1 ] || usage
         [ -f "$version_file" ] || { echo "version: $version_file is missing" >&2; exit 1; }
         version="$(tr -d '[:space:]' < "$version_file")"
         is_version "$version" || { echo "version: $version_file: '$version' is not X.Y.Z" >&2; exit 1; } ;;
  set)   [ $# -eq 2 ] || usage
         version="$2"
         is_version "$version" || { echo "version: '$version' is not X.Y.Z (e.g. 0.3.0)" >&2; exit 2; }
         printf '%s\n' "$version" > "$version_file" ;;
  *)     usage ;;
esac

# Every tracked manifest and lock file; build output (target/, build/) holds packaged copies that are not sources.
files_named() {
  find "$root" \( -name .git -o -name target -o -name build -o -name node_modules \) -prune -o -type f -name "$1" -print |
    LC_ALL=C sort
}
mapfile -t manifests < <(files_named Cargo.toml)
mapfile -t locks < <(files_named Cargo.lock)

# The repository's crates: the [package] name of every manifest.
crates=""
for m in "${manifests[@]}"; do
  name="$(awk '/^\[/ { in_pkg = ($0 == "[package]") } in_pkg && /^name *= *"/ { split($0, q, "\""); print q[2]; exit }' "$m")"
  [ -n "$name" ] && crates+="${crates:+ }$name"
done

stale=0
# stamp <file> <awk program>: the program prints the stamped file on stdout and "LINE<TAB>found" for each stale copy
# on fd 3; check reports those, set rewrites the file.
stamp() {
  local file="$1" program="$2" out reports
  out="$(mktemp)"
  reports="$(awk -v want="$version" -v crates=" $crates" "$program" "$file" 3>&1 >"$out")" || {
    rm -f "$out"; echo "version: ${file#"$root"/}: cannot be read" >&2; exit 1; }
  if grep -q $'\t!' <<< "$reports"; then   # "!": a problem stamping cannot fix
    while IFS=$'\t' read -r line found; do
      [[ "$found" == '!'* ]] && echo "version: ${file#"$root"/}:$line: ${found#!}" >&2
    done <<< "$reports"
    rm -f "$out"; exit 1
  fi
  if [ -n "$reports" ]; then
    if [ "$mode" = set ]; then
      cat "$out" > "$file"
    else
      while IFS=$'\t' read -r line found; do
        echo "version: ${file#"$root"/}:$line: $found, interop/VERSION says $version" >&2
      done <<< "$reports"
      stale=1
    fi
  fi
  rm -f "$out"
}

# Cargo.toml: the [package] version (which must be written out, not inherited from a workspace), and
# `<repo crate> = { path = ..., version = "..." }` dependency lines.
manifest_program='
  function report(what) { print FNR "\t" what > "/dev/fd/3" }
  /^\[/ { in_pkg = ($0 == "[package]") }
  in_pkg && /^version\.workspace *= *true/ { report("!the crate version is inherited from a workspace; write it out (version = \"" want "\")") }
  in_pkg && /^version *= *"/ {
    split($0, q, "\""); if (q[2] != want) { report("crate version " q[2]); sub(/"[^"]*"/, "\"" want "\"") }
  }
  /^[A-Za-z0-9_-]+ *= *\{.*path *=.*version *= *"/ {
    dep = $1; if (index(crates, " " dep " ")) {
      v = $0; sub(/.*version *= *"/, "", v); sub(/".*/, "", v)
      if (v != want) { report("dependency " dep " version " v); sub(/version *= *"[^"]*"/, "version = \"" want "\"") }
    }
  }
  { print }'
# Cargo.lock: a [[package]] of the repository (no `source`: path packages have none) named like one of its crates.
lock_program='
  function report(what) { print FNR "\t" what > "/dev/fd/3" }
  /^\[\[package\]\]/ { name = "" }
  /^name = "/ { split($0, q, "\""); name = q[2] }
  /^version = "/ && name != "" && index(crates, " " name " ") {
    split($0, q, "\""); if (q[2] != want) { report("lock entry " name " " q[2]); $0 = "version = \"" want "\"" }
  }
  { print }'
header_program='
  function report(what) { print FNR "\t" what > "/dev/fd/3" }
  /^#define NP_C_SDK_VERSION "/ {
    seen = 1; split($0, q, "\""); if (q[2] != want) { report("NP_C_SDK_VERSION " q[2]); sub(/"[^"]*"/, "\"" want "\"") }
  }
  { print }
  END { if (!seen) report("!no line #define NP_C_SDK_VERSION \"X.Y.Z\"") }'

for m in "${manifests[@]}"; do stamp "$m" "$manifest_program"; done
for l in "${locks[@]}"; do stamp "$l" "$lock_program"; done
stamp "$header" "$header_program"

if [ "$mode" = set ]; then
  echo "version: set $version in interop/VERSION and every copy (crates: $crates)"
elif [ "$stale" -ne 0 ]; then
  echo "version: stale copies found; run: bash interop/version.sh set $version" >&2
  exit 1
else
  echo "version: $version everywhere (crates: $crates)"
fi
