#!/usr/bin/env bash
# The .NET host consumer (README.md): a console app of a user's, outside the repository, that references only the
# staged NativePlugins.Extensions.Hosting package (and Microsoft.Extensions.Hosting from nuget.org). Through
# Host.CreateApplicationBuilder + AddNativePlugins it loads every library the plugin consumers put into
# <stage>/plugins at startup (a refusal fails the start), lists the plugins, runs the records given on stdin through
# a pipeline of every np.transform/1 plugin, and prints what came out. "zz": it runs after those consumers.
#
# What the plugins do is theirs: the checks are that every library loaded, every transform ran as a stage (calls,
# records in and out), the host's meter counted the calls, the output is not empty, two runs print the same, and
# nothing was refused or logged at Warning or above.
# Usage: consume-zz-host.sh <stage-dir>
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$1"

shopt -s nullglob
libraries=("$np_plugins"/*.so "$np_plugins"/*.dylib "$np_plugins"/*.dll)
shopt -u nullglob
[ ${#libraries[@]} -gt 0 ] || { echo "consume-zz-host: no plugin library in $np_plugins (run the plugin consumers first)" >&2; exit 1; }

# One version per package, as the repository's projects use it (Directory.Packages.props).
hosting_version="$(sed -n 's|.*PackageVersion Include="Microsoft.Extensions.Hosting" Version="\([^"]*\)".*|\1|p' \
  "$np_repo/Directory.Packages.props")"
[ -n "$hosting_version" ] || { echo "consume-zz-host: no Microsoft.Extensions.Hosting version in $np_repo/Directory.Packages.props" >&2; exit 1; }

dir="$(np_consumer_dir zz-host)"
trap 'rm -rf "$dir"' EXIT
np_step "host app: NativePlugins.Extensions.Hosting $np_version from the stage feed, ${#libraries[@]} plugin libraries"

np_write_nuget_config "$dir"
cat > "$dir/HostConsumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="NativePlugins.Extensions.Hosting" Version="$np_version" />
    <PackageReference Include="Microsoft.Extensions.Hosting" Version="$hosting_version" />
  </ItemGroup>
</Project>
XML

cat > "$dir/Program.cs" <<'CS'
// Usage: HostConsumer <plugin-dir> [<plugin-id>=<config> ...]  (records on stdin, one per line)
// stdout: "library <file> <ids>", "plugin <id> <version> <interfaces>", "stage <id> calls=<n> in=<n> out=<n>",
// "metric <instrument> <sum>", "input <n>", then "record <text>" per output record. Logs go to stderr.
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Diagnostics;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: HostConsumer <plugin-dir> [<plugin-id>=<config> ...]");
    return 2;
}
var configs = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var a in args.Skip(1))
{
    int eq = a.IndexOf('=');
    if (eq <= 0) { Console.Error.WriteLine($"bad argument '{a}': expected <plugin-id>=<config>"); return 2; }
    configs[a[..eq]] = a[(eq + 1)..];
}

var totals = new Dictionary<string, long>();
using var meters = new MeterListener();
meters.InstrumentPublished = (instrument, listener) =>
{
    if (instrument.Meter.Name == PluginTelemetry.SourceName) listener.EnableMeasurementEvents(instrument);
};
meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
{
    lock (totals) totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
});
meters.Start();

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddNativePlugins(o => o.UseEnvironmentSearchPath = false)
    .LoadAtStartup(args[0])
    .FailStartupOnRefusal();
using var app = builder.Build();
await app.StartAsync();

var host = app.Services.GetRequiredService<PluginHost>();
foreach (var library in host.Libraries.OrderBy(l => l.FileName, StringComparer.Ordinal))
    Console.WriteLine($"library {library.FileName} {string.Join(",", library.Plugins.Select(p => p.Id))}");
foreach (var p in host.Plugins.OrderBy(p => p.Id, StringComparer.Ordinal))
    Console.WriteLine($"plugin {p.Id} {p.Version} {string.Join(",", p.Interfaces)}");
foreach (var id in configs.Keys.Where(id => !host.TryGetPlugin(id, out _)))
    Console.Error.WriteLine($"note: no plugin '{id}' is loaded; its config is not used");

// Every transform, those given a config first (in argument order: a user knows which stage reads what), the
// others by id: the same order on every run.
var transforms = host.Plugins.Where(p => p.IsTransform).Select(p => p.Id).ToList();
var order = configs.Keys.Where(transforms.Contains)
    .Concat(transforms.Where(id => !configs.ContainsKey(id)).Order(StringComparer.Ordinal)).ToList();
if (order.Count == 0) { Console.Error.WriteLine("no np.transform/1 plugin is loaded"); return 1; }

var lines = new List<string>();
for (string? line; (line = Console.In.ReadLine()) is not null;) lines.Add(line);
using var input = new RecordBuffer();
foreach (var l in lines) input.Append(l);

using var pipeline = host.CreatePipeline(order.Select(id => new PipelineStage(id, configs.GetValueOrDefault(id, ""))));
var output = pipeline.Process(input).ToStringList();
output.AddRange(pipeline.Flush().ToStringList());
foreach (var s in pipeline.Stats)
    Console.WriteLine($"stage {s.Stage.Plugin.Id} calls={s.Calls} in={s.RecordsIn} out={s.RecordsOut}");
lock (totals)
    foreach (var (name, sum) in totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        Console.WriteLine($"metric {name} {sum}");
Console.WriteLine($"input {lines.Count}");
foreach (var r in output) Console.WriteLine($"record {r}");

await app.StopAsync();
return 0;
CS

(cd "$dir" && dotnet build -c Release -o out -v quiet -nologo > build.log 2>&1) ||
  { cat "$dir/build.log" >&2; echo "consume-zz-host: the host app did not build" >&2; exit 1; }

# The C and Rust samples need a config when they are in the stage (a user's own plugins run with their defaults):
# the JSON field extractor first, so that the JSON records below give it something to read.
configs=(org.nativeplugins.rust.json-field=field=msg org.nativeplugins.c.grep=pattern=o)
records=$'{"msg":"hello world"}\n{"msg":"native plugins"}\n{"msg":"hello world"}\n{"msg":"from dotnet"}'

# From its own folder, which is then the app's content root.
run() {
  printf '%s\n' "$records" |
    (cd "$dir" && dotnet out/HostConsumer.dll "$np_plugins" "${configs[@]}") 2> "$dir/$1.err" > "$dir/$1.out"
}
if ! run first; then
  cat "$dir/first.err" >&2
  echo "consume-zz-host: the host app failed (a refused library fails its start)" >&2
  exit 1
fi
run second || { cat "$dir/second.err" >&2; echo "consume-zz-host: the second run failed" >&2; exit 1; }
out="$dir/first.out"
sed 's/^/    /' "$out"

fail() { echo "consume-zz-host: $*" >&2; cat "$dir/first.err" >&2; exit 1; }
for lib in "${libraries[@]}"; do
  grep -q "^library $(basename "$lib") " "$out" || fail "$(basename "$lib") was not loaded"
done
grep -E '^(warn|fail|crit):' "$dir/first.err" && fail "the host logged warnings or errors"
grep -q 'NativePlugins: refused ' "$dir/first.err" && fail "the host refused a library"
transforms=$(grep -cE '^plugin [^ ]+ [^ ]+ (.*,)?np\.transform/1(,.*)?$' "$out" || true)
stages=$(grep -c '^stage ' "$out" || true)
[ "$transforms" -gt 0 ] || fail "no np.transform/1 plugin is listed"
[ "$stages" -eq "$transforms" ] || fail "$stages pipeline stages for $transforms transform plugins"
grep '^stage ' "$out" | grep -qv 'calls=[1-9]' && fail "a stage was never called"
grep -q '^stage .* in=[1-9]' "$out" || fail "no stage received records"
[ "$(grep '^input ' "$out")" = "input 4" ] || fail "the app did not read the 4 input records"
grep -q '^metric nativeplugins.calls [1-9]' "$out" || fail "the host's meter counted no call"
grep -q '^record .' "$out" || fail "the pipeline emitted no record"
cmp -s "$dir/first.out" "$dir/second.out" || fail "two runs over the same records printed different output"
# The plugins run.sh's consumers stage are upper-casers (C, Rust, C#, and nplug new's in every language) and one
# reverser (stage.cs-reverse): whatever their order, every record must come out reversed and upper-cased.
if grep -q '^plugin stage.cs-reverse ' "$out"; then
  expected=$(printf '%s\n' "$records" | rev | tr '[:lower:]' '[:upper:]' | sed 's/^/record /')
  [ "$(grep '^record ' "$out")" = "$expected" ] ||
    fail "the pipeline's records are not the input reversed and upper-cased: expected"$'\n'"$expected"
fi
np_step "host app: $transforms transform plugin(s) as pipeline stages, $(grep -c '^record ' "$out") output record(s), deterministic"
