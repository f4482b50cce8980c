#!/usr/bin/env bash
# Shared by the packaging scripts (source it): the stage layout (README.md) and small helpers.
# Usage: source lib.sh <stage-dir>
set -euo pipefail
np_stage="$(mkdir -p "$1" && cd "$1" && pwd)"
np_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
np_version="$(tr -d '[:space:]' < "$np_repo/interop/VERSION")"
np_feed="$np_stage/feed"
np_prefix="$np_stage/prefix"
np_crates="$np_stage/crates"
np_plugins="$np_stage/plugins"
np_nplug="$np_stage/tools/nplug"
# A private package cache: the feed's packages carry the same version on every run, and a shared cache would keep
# serving the first copy it saw.
export NUGET_PACKAGES="$np_stage/nuget-packages"
mkdir -p "$np_plugins"

np_step() { printf '  packaging: %s\n' "$*"; }

# A fresh folder outside the repository for one consumer; removed when the calling script exits.
np_consumer_dir() {
  local d
  d="$(mktemp -d "${TMPDIR:-/tmp}/nplug-consumer-$1.XXXXXX")"
  case "$d" in "$np_repo"/*) echo "consumer folder $d is inside the repository" >&2; return 1 ;; esac
  echo "$d"
}

# The staged nplug tool (stage-nuget.sh installs it); every consumer checks its plugin with it.
np_nplug() {
  [ -x "$np_nplug" ] || { echo "packaging: $np_nplug is not installed (run stage.sh first)" >&2; return 1; }
  "$np_nplug" "$@"
}

# A nuget.config in <dir> that adds the stage's feed to the machine's own sources (nuget.org stays, for the
# packages ours depend on and the NativeAOT compiler).
np_write_nuget_config() {
  cat > "$1/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="nativeplugins-stage" value="$np_feed" />
  </packageSources>
</configuration>
XML
}
