using BenchmarkDotNet.Running;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Peers;
using NativePlugins.Benchmarks.Probes;
using NativePlugins.Benchmarks.Report;

namespace NativePlugins.Benchmarks;

/// <summary>
/// Entry point. benchmarks/run.sh drives it; each mode can also be run by hand:
/// <code>
///   bdn &lt;group&gt; [--quick] [--iterations N] --artifacts DIR
///                                             a BenchmarkDotNet group (call, plugin-call, pipeline, peers, isolation, load,
///                                             discovery); N measured iterations per benchmark (call, plugin-call,
///                                             pipeline, peers, isolation)
///   probes --out FILE [--runs N]              cold start and resident memory, in fresh child processes
///   probe cold|rss &lt;target-key&gt;              one child measurement (used by probes)
///   peer-probes --out FILE [--runs N]         cold start and resident memory of the peers group's systems
///   peer-probe cold|rss &lt;system&gt;             one child measurement (used by peer-probes)
///   lifecycle --out FILE [--cycles N] [--reloads M]   load/unload cycles and hot reloads: RSS, fds, mappings before/after
///   report --raw DIR --out DIR [--quick]      join the raw results into summary.md and summary.json
/// </code>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0) return Usage();
        var rest = args[1..];
        return args[0] switch
        {
            "bdn" when rest.Length >= 1 => RunGroup(rest[0], rest.Contains("--quick"), Option(rest, "--artifacts") ?? "BenchmarkDotNet.Artifacts",
                Option(rest, "--iterations") is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : null),
            "probes" => ProbeRunner.Run(Option(rest, "--out") ?? "probes.json", int.Parse(Option(rest, "--runs") ?? "7")),
            "probe" when rest.Length == 2 => ProbeChild.Run(rest[0], rest[1]),
            "peer-probes" => PeerProbes.Run(Option(rest, "--out") ?? "peers-probes.json", int.Parse(Option(rest, "--runs") ?? "5")),
            "peer-probe" when rest.Length == 2 => PeerProbeChild.Run(rest[0], rest[1]),
            "lifecycle" => Lifecycle.LifecycleRunner.Run(Option(rest, "--out") ?? "lifecycle.json",
                int.Parse(Option(rest, "--cycles") ?? "10000", System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(Option(rest, "--reloads") ?? "1000", System.Globalization.CultureInfo.InvariantCulture)),
            "report" => SummaryWriter.Run(Option(rest, "--raw") ?? throw new ArgumentException("--raw DIR"),
                Option(rest, "--out") ?? throw new ArgumentException("--out DIR"), rest.Contains("--quick")),
            _ => Usage(),
        };
    }

    private static int RunGroup(string group, bool quick, string artifacts, int? iterations)
    {
        if (!BenchGroups.Classes.TryGetValue(group, out var classes)) return Usage();
        var summaries = BenchmarkRunner.Run(classes, BenchGroups.Config(group, quick, artifacts, iterations));
        // A benchmark that failed (setup threw, a check failed) has no result: say so, and fail the run.
        var failed = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is null).ToList();
        foreach (var r in failed) Console.Error.WriteLine($"benchmark failed: {r.BenchmarkCase.DisplayInfo}");
        return failed.Count == 0 && summaries.All(s => !s.HasCriticalValidationErrors) ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: NativePlugins.Benchmarks bdn <call|plugin-call|pipeline|peers|isolation|load|discovery> [--quick] [--iterations N] --artifacts DIR
                   NativePlugins.Benchmarks probes --out FILE [--runs N]
                   NativePlugins.Benchmarks probe cold|rss <target-key>
                   NativePlugins.Benchmarks peer-probes --out FILE [--runs N]
                   NativePlugins.Benchmarks peer-probe cold|rss <system>
                   NativePlugins.Benchmarks lifecycle --out FILE [--cycles N] [--reloads M]
                   NativePlugins.Benchmarks report --raw DIR --out DIR [--quick]
            benchmarks/run.sh runs all of it; see benchmarks/README.md.
            """);
        return 2;
    }
}
