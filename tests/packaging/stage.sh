#!/usr/bin/env bash
# Builds what a user gets into <stage-dir> (README.md): NuGet feed + nplug tool, CMake install prefix + crates.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -eq 1 ] || { echo "usage: stage.sh <stage-dir>" >&2; exit 2; }
bash "$here/stage-native.sh" "$1"
bash "$here/stage-nuget.sh" "$1"
