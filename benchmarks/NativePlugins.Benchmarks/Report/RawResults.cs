using System.Text.Json;

namespace NativePlugins.Benchmarks.Report;

/// <summary>
/// The raw results of benchmarks/run.sh, as written under benchmarks/results/raw/: per group, <c>group-&lt;group&gt;.txt</c>
/// (when and how it was measured), <c>native-&lt;group&gt;[.rN].json</c> (Google Benchmark, aggregates of repetitions;
/// one file per round), <c>bdn-&lt;group&gt;[/rN]/results/*-report-full.json</c> (BenchmarkDotNet) with the JIT's
/// summary <c>jit.txt</c> next to it, <c>probes.json</c> and <c>peers-probes.json</c>. Both sides are read with the same estimator, the best
/// (minimum) time over all repetitions/iterations of all rounds: interference from other work on a shared machine
/// only ever adds time. Every lookup returns null when a measurement is absent (not built, or the group was not
/// run), and the report shows that instead of failing.
/// </summary>
public sealed class RawResults
{
    private readonly Dictionary<string, double> _nativeBestNs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _bdnBestNs = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _notTier1 = new(StringComparer.Ordinal);

    public RawResults(string dir)
    {
        Dir = dir;
        foreach (var file in Directory.EnumerateFiles(dir, "native-*.json").Order(StringComparer.Ordinal)) ReadNative(file);
        foreach (var file in Directory.EnumerateFiles(dir, "*-report-full.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)) ReadBdn(file);
        var probes = Path.Combine(dir, "probes.json");
        if (File.Exists(probes)) Probes = JsonDocument.Parse(File.ReadAllText(probes)).RootElement;
        var peerProbes = Path.Combine(dir, "peers-probes.json");
        if (File.Exists(peerProbes)) PeerProbes = JsonDocument.Parse(File.ReadAllText(peerProbes)).RootElement;
        var lifecycle = Path.Combine(dir, "lifecycle.json");
        if (File.Exists(lifecycle)) Lifecycle = JsonDocument.Parse(File.ReadAllText(lifecycle)).RootElement;
        foreach (var file in Directory.EnumerateFiles(dir, "group-*.txt").Order(StringComparer.Ordinal))
        {
            var facts = ReadFacts(file);
            Groups[facts.GetValueOrDefault("group") ?? Path.GetFileNameWithoutExtension(file)["group-".Length..]] = facts;
        }
        NativeContext = _nativeContext;
        BdnHostInfo = _bdnHost;
    }

    public string Dir { get; }
    public JsonElement? Probes { get; }

    /// <summary>peers-probes.json (cold start and memory of the peers group's systems, Peers/PeerProbes.cs).</summary>
    public JsonElement? PeerProbes { get; }
    /// <summary><c>lifecycle.json</c> (group lifecycle): load/unload and reload cycles with the footprint before and after.</summary>
    public JsonElement? Lifecycle { get; }
    public JsonElement? NativeContext { get; }
    public string? BdnHostInfo { get; }

    /// <summary>Per group that has results: started, finished, rounds, commit, load average at start, machine (in
    /// records written since run.sh recorded it per group), measured with.</summary>
    public SortedDictionary<string, Dictionary<string, string>> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>BenchmarkDotNet benchmarks (<c>Type.Method</c>) whose method the JIT never compiled at Tier 1 (or
    /// fully optimized) in a run that recorded its JIT summary: their figures are, at least partly, Tier-0 code.</summary>
    public IReadOnlyCollection<string> NotTier1 => _notTier1;

    private JsonElement? _nativeContext;
    private string? _bdnHost;

    /// <summary>Best wall time of one Google Benchmark iteration over the repetitions of all rounds, in ns.</summary>
    public double? NativeNs(string name) => _nativeBestNs.TryGetValue(name, out var v) ? v : null;

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
        foreach (var (k, v) in singles) best.TryAdd(k, v);
        foreach (var (k, v) in best) KeepMin(_nativeBestNs, k, v.GetProperty("real_time").GetDouble() * UnitToNs(v.GetProperty("time_unit").GetString()));
    }

    private void ReadBdn(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;
        if (root.TryGetProperty("HostEnvironmentInfo", out var host) && host.TryGetProperty("RuntimeVersion", out var rv))
            _bdnHost ??= rv.GetString();
        // run.sh writes the JIT summary of the BenchmarkDotNet process next to its results/ folder.
        var jitFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(file)!)!, "jit.txt");
        var optimized = File.Exists(jitFile) ? OptimizedMethods(jitFile) : null;
        foreach (var b in root.GetProperty("Benchmarks").EnumerateArray())
        {
            if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
            var ns = b.GetProperty("Namespace").GetString();
            var type = b.GetProperty("Type").GetString();
            var method = b.GetProperty("Method").GetString();
            var key = $"{ns}.{type}.{method}";
            var parameters = b.TryGetProperty("Parameters", out var p) ? p.GetString() : null;
            if (!string.IsNullOrEmpty(parameters)) key += "?" + parameters;
            KeepMin(_bdnBestNs, key, stats.GetProperty("Min").GetDouble());
            if (optimized is not null && !optimized.Contains($"{ns}.{type}:{method}")) _notTier1.Add($"{type}.{method}");
        }
    }

    /// <summary>Methods (<c>Namespace.Type:Method</c>) the JIT compiled optimized, from its summary lines
    /// ("JIT compiled N.T:M(args) [Tier1 with Dynamic PGO, IL size=...]"; Tier1-OSR and FullOpts count as optimized;
    /// "Instrumented Tier1" does not, it is an intermediate step).</summary>
    private static HashSet<string> OptimizedMethods(string jitFile)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(jitFile))
        {
            int at = line.IndexOf("JIT compiled ", StringComparison.Ordinal);
            int paren = at < 0 ? -1 : line.IndexOf('(', at);
            int bracket = paren < 0 ? -1 : line.LastIndexOf(" [", StringComparison.Ordinal);
            if (bracket < paren) continue;
            var tier = line[(bracket + 2)..];
            if (tier.StartsWith("Tier1", StringComparison.Ordinal) || tier.Contains("FullOpts", StringComparison.Ordinal))
                set.Add(line[(at + "JIT compiled ".Length)..paren]);
        }
        return set;
    }

    private static void KeepMin(Dictionary<string, double> best, string key, double value)
    {
        if (!best.TryGetValue(key, out var old) || value < old) best[key] = value;
    }

    /// <summary>key=value lines (environment.txt, group-*.txt).</summary>
    public static Dictionary<string, string> ReadFacts(string file)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(file))
            if (line.Split('=', 2) is [var k, var v]) facts[k] = v;
        return facts;
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
