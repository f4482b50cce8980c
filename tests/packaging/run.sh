#!/usr/bin/env bash
# Stages the packages, the install prefix, the nplug tool and the crates, then runs every consumer outside the
# repository (README.md). tests/run-all.sh runs this. Usage: run.sh [stage-dir] (default: a temporary folder).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stage="${1:-$(mktemp -d "${TMPDIR:-/tmp}/nplug-stage.XXXXXX")}"
[ -n "${1:-}" ] || trap 'rm -rf "$stage"' EXIT
bash "$here/stage.sh" "$stage"
for consumer in "$here"/consume-*.sh; do
  printf '  packaging: %s\n' "$(basename "$consumer")"
  bash "$consumer" "$stage"
done
