using System.Text.Json;

namespace NativePlugins.Benchmarks.Report;

/// <summary>
/// The raw results of one run of benchmarks/run.sh, as written under benchmarks/results/raw/:
/// <c>native-&lt;group&gt;.json</c> (Google Benchmark, aggregates of repetitions), <c>bdn-&lt;group&gt;/results/*-report-full.json</c>
/// (BenchmarkDotNet) and <c>probes.json</c>. Both sides are read with the same estimator, the best (minimum) time of
/// the repetitions/iterations: interference from other work on a shared machine only ever adds time. Every lookup
/// returns null when a measurement is absent (not built, or the group was not run), and the report shows that
/// instead of failing.
/// </summary>
public sealed class RawResults
{
    private readonly Dictionary<string, JsonElement> _native = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _bdnBestNs = new(StringComparer.Ordinal);

    public RawResults(string dir)
    {
        Dir = dir;
        foreach (var file in Directory.EnumerateFiles(dir, "native-*.json")) ReadNative(file);
        foreach (var file in Directory.EnumerateFiles(dir, "*-report-full.json", SearchOption.AllDirectories)) ReadBdn(file);
        var probes = Path.Combine(dir, "probes.json");
        if (File.Exists(probes)) Probes = JsonDocument.Parse(File.ReadAllText(probes)).RootElement;
        NativeContext = _nativeContext;
        BdnHostInfo = _bdnHost;
    }

    public string Dir { get; }
    public JsonElement? Probes { get; }
    public JsonElement? NativeContext { get; }
    public string? BdnHostInfo { get; }

    private JsonElement? _nativeContext;
    private string? _bdnHost;

    /// <summary>Best wall time of one Google Benchmark iteration over the repetitions, in ns.</summary>
    public double? NativeNs(string name) =>
        _native.TryGetValue(name, out var b) ? b.GetProperty("real_time").GetDouble() * UnitToNs(b.GetProperty("time_unit").GetString()) : null;

    /// <summary>Best time of one BenchmarkDotNet operation in ns: <c>Namespace.Type.Method</c>, plus
    /// <c>?Param=Value&amp;...</c> for parameterized benchmarks (as BenchmarkDotNet prints them).</summary>
    public double? BdnNs(string key) => _bdnBestNs.TryGetValue(key, out var v) ? v : null;

    private void ReadNative(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement.Clone();
        _nativeContext ??= root.GetProperty("context");
        var best = new Dictionary<string, JsonElement>();
        var singles = new Dictionary<string, JsonElement>();
        foreach (var b in root.GetProperty("benchmarks").EnumerateArray())
        {
            var name = Clean(b.GetProperty("run_name").GetString()!);
            if (b.GetProperty("run_type").GetString() == "aggregate")
            {
                if (b.GetProperty("aggregate_name").GetString() == "min") best[name] = b;
            }
            else singles[name] = b; // without repetitions there are no aggregates: the one run is the result
        }
        foreach (var (k, v) in singles) _native[k] = v;
        foreach (var (k, v) in best) _native[k] = v;
    }

    private void ReadBdn(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;
        if (root.TryGetProperty("HostEnvironmentInfo", out var host) && host.TryGetProperty("RuntimeVersion", out var rv))
            _bdnHost ??= rv.GetString();
        foreach (var b in root.GetProperty("Benchmarks").EnumerateArray())
        {
            if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
            var key = $"{b.GetProperty("Namespace").GetString()}.{b.GetProperty("Type").GetString()}.{b.GetProperty("Method").GetString()}";
            var parameters = b.TryGetProperty("Parameters", out var p) ? p.GetString() : null;
            if (!string.IsNullOrEmpty(parameters)) key += "?" + parameters;
            _bdnBestNs[key] = stats.GetProperty("Min").GetDouble();
        }
    }

    /// <summary>Google Benchmark appends "/manual_time" or "/real_time" to the names of manually or wall-clock timed
    /// runs; the report names them without it.</summary>
    private static string Clean(string name)
    {
        foreach (var suffix in new[] { "/manual_time", "/real_time" })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return name[..^suffix.Length];
        return name;
    }

    private static double UnitToNs(string? unit) => unit switch
    {
        "ns" => 1,
        "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => throw new FormatException($"unknown time unit {unit}"),
    };
}
