using System.Diagnostics;
using System.Text.Json;
using NativePlugins.Benchmarks.Infrastructure;

namespace NativePlugins.Benchmarks.Probes;

/// <summary>
/// Runs the probes in fresh processes, <c>runs</c> times per plugin target, probe kind and host: <see cref="ProbeChild"/>
/// for the .NET host and <c>np_bench_native --probe</c> (benchmarks/native/harness/probe.cc) for the C host, and
/// writes the medians (and every sample) to one JSON file. A target whose library is not built is recorded as "not
/// built"; a child that fails is recorded with its exit code and stderr, and the other targets still run.
/// </summary>
public static class ProbeRunner
{
    public static int Run(string outPath, int runs)
    {
        var report = new ProbeReport { Runs = runs };
        var harness = Path.Combine(BenchPaths.BuildDir, "bin", "np_bench_native");
        foreach (var target in PluginTargets.All)
        {
            foreach (var (host, cold, rss) in new[] { ("dotnet", report.Cold, report.Rss), ("c", report.CCold, report.CRss) })
            {
                if (host == "c" && !File.Exists(harness)) continue;
                cold[target.Key] = Collect<ColdStartSample>(target, host, harness, "cold", runs, samples => new ColdStartSample(
                    Median(samples, s => s.LoadMs), Median(samples, s => s.CreateMs), Median(samples, s => s.FirstProcessMs),
                    Median(samples, s => s.TotalMs), Median(samples, s => s.WarmProcessMs)));
                rss[target.Key] = Collect<RssSample>(target, host, harness, "rss", runs, samples => new RssSample(
                    (long)Median(samples, s => s.LoadKiB), (long)Median(samples, s => s.LoadCreateProcessKiB),
                    MedianOrNull(samples, s => s.SteadyBareKiB), MedianOrNull(samples, s => s.SteadyHostKiB)));
                Console.WriteLine($"probes: {host,-6} {target.Key,-16} cold {Describe(cold[target.Key])}; rss {Describe(rss[target.Key])}");
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static ProbeResult<T> Collect<T>(PluginTarget target, string host, string harness, string kind, int runs,
        Func<List<T>, T> median)
    {
        if (!target.IsBuilt) return new ProbeResult<T> { Status = "not built", Language = target.Language };
        var samples = new List<T>();
        for (int i = 0; i < runs; i++)
        {
            var (code, stdout, stderr) = host == "c" ? RunNativeChild(harness, kind, target.Key) : RunChild(kind, target.Key);
            if (code != 0)
                return new ProbeResult<T> { Status = $"failed (exit {code}): {stderr.Trim()}", Language = target.Language };
            var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            samples.Add(JsonSerializer.Deserialize<T>(line)!);
        }
        return new ProbeResult<T> { Status = "ok", Language = target.Language, Median = median(samples), Samples = samples };
    }

    /// <summary>Runs <c>probe &lt;kind&gt; &lt;key&gt;</c> (or any other arguments after the first) in a fresh process of this program.</summary>
    internal static (int Code, string Stdout, string Stderr) RunChild(string kind, string key, string mode = "probe")
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ProbeRunner).Assembly.Location);
        foreach (var a in new[] { mode, kind, key }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderrTask.Result);
    }

    private static (int Code, string Stdout, string Stderr) RunNativeChild(string harness, string kind, string key)
    {
        var psi = new ProcessStartInfo(harness) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--probe", kind, key }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderrTask.Result);
    }

    private static long? MedianOrNull<T>(List<T> samples, Func<T, long?> value)
    {
        var present = samples.Select(value).Where(v => v.HasValue).Select(v => v!.Value).Order().ToList();
        return present.Count == 0 ? null : present[present.Count / 2];
    }

    internal static double Median<T>(List<T> samples, Func<T, double> value)
    {
        var v = samples.Select(value).OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string Describe<T>(ProbeResult<T> r) => r.Status == "ok" ? r.Median!.ToString()! : r.Status;
}

/// <summary>probes.json: per target key, the .NET host's results (Cold, Rss) and the C host's (CCold, CRss).</summary>
public sealed class ProbeReport
{
    public int Runs { get; set; }
    public Dictionary<string, ProbeResult<ColdStartSample>> Cold { get; set; } = [];
    public Dictionary<string, ProbeResult<RssSample>> Rss { get; set; } = [];
    public Dictionary<string, ProbeResult<ColdStartSample>> CCold { get; set; } = [];
    public Dictionary<string, ProbeResult<RssSample>> CRss { get; set; } = [];
}

public sealed class ProbeResult<T>
{
    public string Status { get; set; } = "";
    public string Language { get; set; } = "";
    public T? Median { get; set; }
    public List<T>? Samples { get; set; }
}
