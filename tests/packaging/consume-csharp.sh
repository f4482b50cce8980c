#!/usr/bin/env bash
# A C# plugin author outside the repository (README.md): a fresh folder with a nuget.config naming the stage's feed,
# a project that uses NativePlugins.PluginSdk from it, published in both modes with plain `dotnet publish`; the staged
# nplug checks both libraries and runs them, and the NativeAOT one goes to <stage>/plugins for the host consumer.
# The plugin, stage.cs-reverse, reverses each record (by Unicode scalar, so UTF-8 stays valid).
# Usage: consume-csharp.sh <stage-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: consume-csharp.sh <stage-dir>" >&2; exit 2; }
source "$(dirname "$0")/lib.sh" "$1"

work="$(np_consumer_dir csharp)"
trap 'rm -rf "$work"' EXIT
cd "$work"
np_write_nuget_config "$work"
name=stage_cs_reverse

cat > Reverse.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="NativePlugins.PluginSdk" Version="$np_version" />
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>$name</AssemblyName>
    <NplugPluginMode>Aot</NplugPluginMode>
  </PropertyGroup>
</Project>
XML
cat > Reverse.cs <<'CS'
using System.Text;
using NativePlugins.PluginSdk;

namespace Stage.Reverse;

/// <summary>Emits every record reversed, Unicode scalar by scalar.</summary>
[NativePlugin("stage.cs-reverse", Name = "Reverse", Version = "1.0.0", Description = "Reverses each record",
    Vendor = "packaging test")]
public sealed class Reverse : TransformPlugin
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override void Process(RecordBatch batch, Emitter output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            string text;
            try { text = s_strictUtf8.GetString(batch[i]); }
            catch (DecoderFallbackException) { throw PluginException.Input($"record {i} is not valid UTF-8"); }
            var reversed = new StringBuilder(text.Length);
            foreach (Rune rune in text.EnumerateRunes().Reverse()) reversed.Append(rune.ToString());
            output.EmitUtf8(reversed.ToString());
        }
    }
}
CS

input=$'hello\nwörld\n'
expected=$'olleh\ndlröw'
for mode in Aot Hosted; do
  out="$work/out-$mode"
  np_step "C# plugin ($mode): dotnet publish -c Release -p:NplugPluginMode=$mode -o $out"
  dotnet publish -c Release -nologo "-p:NplugPluginMode=$mode" -o "$out" >"publish-$mode.log" 2>&1 \
    || { cat "publish-$mode.log" >&2; echo "consume-csharp.sh: dotnet publish ($mode) failed" >&2; exit 1; }
  [ -f "$out/lib$name.so" ] || { ls -la "$out" >&2; echo "consume-csharp.sh: $mode publish left no $out/lib$name.so" >&2; exit 1; }
  if [ "$mode" = Hosted ]; then
    for f in "$name.dll" "$name.runtimeconfig.json" "$name.deps.json" NativePlugins.PluginSdk.dll NativePlugins.Interop.dll; do
      [ -f "$out/$name.managed/$f" ] || { echo "consume-csharp.sh: the hosted payload lacks $out/$name.managed/$f" >&2; exit 1; }
    done
  fi
  # Nothing of the package's build inputs (the leaf object, the shim under its own name) may leak into the output.
  leaked=$(find "$out" -name 'np_cs_leaf.o' -o -name 'libnp_cs_hosted_shim.so')
  [ -z "$leaked" ] || { echo "consume-csharp.sh: package build inputs in the publish folder: $leaked" >&2; exit 1; }

  np_step "nplug check lib$name.so ($mode)"
  np_nplug check "$out/lib$name.so" >"check-$mode.log" 2>&1 \
    || { cat "check-$mode.log" >&2; echo "consume-csharp.sh: nplug check failed ($mode)" >&2; exit 1; }
  actual=$(printf '%s' "$input" | np_nplug run --no-default-path --plugin-dir "$out" --pipeline stage.cs-reverse --quiet)
  [ "$actual" = "$expected" ] || { printf 'consume-csharp.sh: %s run gave\n%s\nexpected\n%s\n' "$mode" "$actual" "$expected" >&2; exit 1; }
done

cp "$work/out-Aot/lib$name.so" "$np_plugins/lib$name.so"
echo "consume-csharp: stage.cs-reverse published from the feed in both modes, checked and run; $np_plugins/lib$name.so"
