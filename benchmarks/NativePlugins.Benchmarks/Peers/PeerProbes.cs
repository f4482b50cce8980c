using System.Text.Json;
using NativePlugins.Benchmarks.Probes;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// Cold start and resident memory of every peer system (<c>peer-probes --out FILE --runs N</c>): <paramref name="runs"/>
/// fresh child processes per system and probe kind (<see cref="PeerProbeChild"/>), medians and every sample written
/// to one JSON file in the layout of probes.json (<see cref="ProbeReport"/>, keyed by <see cref="PeerSystems"/> key;
/// the C sections stay empty). A system that is not built (the Wasm module without its toolchain) is recorded as
/// "not built"; a child that fails is recorded with its exit code and stderr, and the other systems still run.
/// </summary>
public static class PeerProbes
{
    public static int Run(string outPath, int runs)
    {
        var report = new ProbeReport { Runs = runs };
        foreach (var system in PeerSystems.Probed)
        {
            var label = PeerSystems.All.First(s => s.Key == system).Label;
            bool built = system != PeerSystems.Wasmtime || PeerPaths.WasmModuleBuilt;
            report.Cold[system] = Collect<ColdStartSample>(system, label, built, "cold", runs, samples => new ColdStartSample(
                ProbeRunner.Median(samples, s => s.LoadMs), ProbeRunner.Median(samples, s => s.CreateMs),
                ProbeRunner.Median(samples, s => s.FirstProcessMs), ProbeRunner.Median(samples, s => s.TotalMs),
                ProbeRunner.Median(samples, s => s.WarmProcessMs)));
            report.Rss[system] = Collect<RssSample>(system, label, built, "rss", runs, samples => new RssSample(
                (long)ProbeRunner.Median(samples, s => s.LoadKiB), (long)ProbeRunner.Median(samples, s => s.LoadCreateProcessKiB)));
            Console.WriteLine($"peer probes: {system,-24} cold {Describe(report.Cold[system])}; rss {Describe(report.Rss[system])}");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return report.Cold.Values.All(r => r.Status is "ok" or "not built") && report.Rss.Values.All(r => r.Status is "ok" or "not built") ? 0 : 1;
    }

    private static ProbeResult<T> Collect<T>(string system, string label, bool built, string kind, int runs, Func<List<T>, T> median)
    {
        if (!built) return new ProbeResult<T> { Status = "not built", Language = label };
        var samples = new List<T>();
        for (int i = 0; i < runs; i++)
        {
            var (code, stdout, stderr) = ProbeRunner.RunChild(kind, system, "peer-probe");
            if (code != 0) return new ProbeResult<T> { Status = $"failed (exit {code}): {stderr.Trim()}", Language = label };
            samples.Add(JsonSerializer.Deserialize<T>(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!);
        }
        return new ProbeResult<T> { Status = "ok", Language = label, Median = median(samples), Samples = samples };
    }

    private static string Describe<T>(ProbeResult<T> r) => r.Status == "ok" ? r.Median!.ToString()! : r.Status;
}
