#!/usr/bin/env bash
# Stages the NuGet side of what a user gets (README.md): every packable .NET project packed into <stage>/feed
# (.nupkg + .snupkg), then the nplug .NET tool installed from that feed into <stage>/tools.
# The packages carry native parts of the CMake build (the hosted shim in NativePlugins.PluginSdk, the sample plugins
# `nplug demo` runs in the tool): NPLUG_BUILD_DIR names that build (default <repo>/build/native); it is only read.
# Usage: stage-nuget.sh <stage-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: stage-nuget.sh <stage-dir>" >&2; exit 2; }
# Packing builds the repository like any build, with the developer's own package cache; lib.sh's private cache
# (NUGET_PACKAGES) is for the consumers, and would make the repository's obj/ point at a temporary folder.
packing_env=(env -u NUGET_PACKAGES)
[ -n "${NUGET_PACKAGES:-}" ] && packing_env=(env "NUGET_PACKAGES=$NUGET_PACKAGES")
source "$(dirname "$0")/lib.sh" "$1"

build="${NPLUG_BUILD_DIR:-$np_repo/build/native}"
for needed in "$build/hosted-shim/libnp_cs_hosted_shim.so" "$build/bin/nplug-worker" "$build/plugins" "$build/bin/nplug-scan"; do
  [ -e "$needed" ] || { echo "stage-nuget.sh: $needed is missing: build the native side first (cmake -S . -B build/native && cmake --build build/native) or set NPLUG_BUILD_DIR" >&2; exit 1; }
done
export NPLUG_BUILD_DIR="$build"

# Packaging order does not matter to NuGet; the list is every project that sets IsPackable=true. The DI package
# is packed when its project exists (it is added by another part of issue 13).
projects=(
  interop/bindings/csharp/NativePlugins.Interop.csproj
  src/NativePlugins.Host/NativePlugins.Host.csproj
  src/NativePlugins.PluginSdk/NativePlugins.PluginSdk.csproj
  src/NativePlugins.Cli/NativePlugins.Cli.csproj
)
[ -f "$np_repo/src/NativePlugins.Extensions.Hosting/NativePlugins.Extensions.Hosting.csproj" ] &&
  projects+=(src/NativePlugins.Extensions.Hosting/NativePlugins.Extensions.Hosting.csproj)

# Same version on every run: drop the previous run's packages, from the feed and from the consumers' cache, so that
# nothing can resolve to a stale copy.
mkdir -p "$np_feed"
rm -f "$np_feed"/*.nupkg "$np_feed"/*.snupkg
rm -rf "$NUGET_PACKAGES"/nativeplugins.* "$NUGET_PACKAGES"/nplug "$np_stage/tools"

for project in "${projects[@]}"; do
  np_step "dotnet pack $(basename "$project" .csproj)"
  log="$np_stage/pack-$(basename "$project" .csproj).log"
  # NplugSkipNativeBuild: the native build is an input here (NPLUG_BUILD_DIR), never rebuilt by packing.
  "${packing_env[@]}" dotnet pack "$np_repo/$project" -c Release -o "$np_feed" -nologo -p:NplugSkipNativeBuild=true >"$log" 2>&1 \
    || { cat "$log" >&2; echo "stage-nuget.sh: dotnet pack $project failed (log: $log)" >&2; exit 1; }
done

for id in NativePlugins.Interop NativePlugins.Host NativePlugins.PluginSdk nplug; do
  for ext in nupkg snupkg; do
    [ -f "$np_feed/$id.$np_version.$ext" ] || { echo "stage-nuget.sh: $np_feed/$id.$np_version.$ext was not produced" >&2; exit 1; }
  done
done

# What each package must carry beyond its assemblies (lib/ or tools/ is checked by using them).
require_entries() { # <package> <entry>...
  local pkg="$np_feed/$1.$np_version.nupkg" listing entry; shift
  listing=$(unzip -Z1 "$pkg")
  for entry in "$@"; do
    grep -qxF "$entry" <<<"$listing" || { echo "stage-nuget.sh: $pkg lacks $entry" >&2; exit 1; }
  done
}
require_entries NativePlugins.PluginSdk README.md lib/net10.0/NativePlugins.PluginSdk.dll \
  analyzers/dotnet/cs/NativePlugins.PluginSdk.Generators.dll Sdk/Sdk.props Sdk/Sdk.targets Sdk/Version.props \
  buildTransitive/NativePlugins.PluginSdk.props buildTransitive/NativePlugins.PluginSdk.targets \
  buildTransitive/NativePlugins.PluginSdk.Core.targets \
  runtimes/linux-x64/native/np_cs_leaf.o runtimes/linux-x64/native/libnp_cs_hosted_shim.so
require_entries nplug README.md tools/net10.0/any/nplug.dll tools/net10.0/any/nplug-worker tools/net10.0/any/include/nplug/nplug.h \
  tools/net10.0/any/demo/pipeline.json tools/net10.0/any/nplug-scan $(cd "$build" && printf 'tools/net10.0/any/%s\n' plugins/*.so)
require_entries NativePlugins.Host README.md lib/net10.0/NativePlugins.Host.dll runtimes/linux-x64/native/nplug-scan \
  runtimes/linux-x64/native/nplug-worker
require_entries NativePlugins.Interop README.md lib/net10.0/NativePlugins.Interop.dll

np_step "dotnet tool install nplug $np_version -> $np_stage/tools"
(cd "$np_stage" && dotnet tool install nplug --tool-path "$np_stage/tools" --add-source "$np_feed" --version "$np_version" >/dev/null)
np_nplug --version >/dev/null
