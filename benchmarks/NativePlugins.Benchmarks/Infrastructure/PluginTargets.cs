namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>One row of benchmarks/plugin-targets.tsv: the plugin timed for one plugin language.</summary>
/// <param name="Key">Short key used in result names: bench, c, rust, cs-aot, cs-hosted.</param>
/// <param name="Language">Display name.</param>
/// <param name="Path">Absolute path of the library.</param>
/// <param name="PluginId">Plugin id in the library.</param>
/// <param name="Config">Config string for create.</param>
/// <param name="Record">One input record (UTF-8).</param>
public sealed record PluginTarget(string Key, string Language, string Path, string PluginId, string Config, string Record)
{
    public bool IsBuilt => File.Exists(Path);

    public override string ToString() => Key; // BenchmarkDotNet shows parameters by ToString()
}

/// <summary>Reads benchmarks/plugin-targets.tsv (NPLUG_BENCH_TARGETS overrides its location), shared with the
/// C harness so that both sides time the same plugins.</summary>
public static class PluginTargets
{
    private static readonly Lazy<IReadOnlyList<PluginTarget>> LazyAll = new(Read);

    public static IReadOnlyList<PluginTarget> All => LazyAll.Value;

    public static IEnumerable<PluginTarget> Built => All.Where(t => t.IsBuilt);

    public static PluginTarget Get(string key) => All.First(t => t.Key == key);

    public static string FilePath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("NPLUG_BENCH_TARGETS");
            if (!string.IsNullOrEmpty(env)) return env;
            return System.IO.Path.Combine(TestSupport.RepoLayout.RepoRoot, "benchmarks", "plugin-targets.tsv");
        }
    }

    private static IReadOnlyList<PluginTarget> Read()
    {
        var rows = new List<PluginTarget>();
        foreach (var line in File.ReadLines(FilePath))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split('\t');
            if (f.Length != 6) throw new FormatException($"{FilePath}: expected 6 tab-separated fields in: {line}");
            rows.Add(new PluginTarget(f[0], f[1], BenchPaths.InBuild(f[2]), f[3], f[4], f[5]));
        }
        return rows;
    }
}
