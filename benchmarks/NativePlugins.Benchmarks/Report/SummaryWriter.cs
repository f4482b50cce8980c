using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Isolation;
using NativePlugins.Benchmarks.Peers;

namespace NativePlugins.Benchmarks.Report;

/// <summary>
/// Joins the raw results (<see cref="RawResults"/>) into the comparison: every .NET figure next to its C-host
/// baseline measured in the same group run, as a ratio, with the issue's targets checked. Each table says when its
/// group was measured (groups can be re-measured one at a time: run.sh --only). Writes summary.md (the table the
/// README quotes) and summary.json (the same, machine-readable), and prints the Markdown.
/// </summary>
public static class SummaryWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string rawDir, string outDir, bool quick)
    {
        var raw = new RawResults(rawDir);
        var tables = new List<Table>
        {
            CallTable(raw),
            PipelineTable(raw),
            PeersTable(raw),
            PeersStartTable(raw),
            IsolationTable(raw),
            PluginCallTable(raw),
            LoadTable(raw),
            DiscoveryTable(raw),
            ColdStartTable(raw),
            MemoryTable(raw),
            LifecycleTable(raw),
        };
        var checks = tables.SelectMany(t => t.Checks).ToList();
        var machine = Machine(raw);
        // When the measurements were taken (run.sh records it per group); the report may be regenerated later from
        // the same raw results. Raw results of older runs have one "run started" for everything.
        var starts = raw.Groups.Values.Select(g => g.GetValueOrDefault("started")).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var ends = raw.Groups.Values.Select(g => g.GetValueOrDefault("finished")).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var date = machine.Remove("run started", out var started) ? started
            : starts.Count > 0 ? (starts[0] == ends[^1] ? starts[0] : $"{starts[0]} to {ends[^1]}")
            : DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv);

        var md = new StringBuilder();
        md.AppendLine($"# NativePlugins benchmarks: .NET host vs C host ({(quick ? "QUICK run: smoke test, not for publication" : "full run")})");
        md.AppendLine();
        md.AppendLine($"Date: {date}. Machine: {string.Join("; ", machine.Select(kv => $"{kv.Key} {kv.Value}"))}.");
        md.AppendLine();
        md.AppendLine("Every ratio compares two figures measured in the same run of their group, each the best (minimum) time of " +
            "its repetitions (interference from other work only ever adds time); the per-call and throughput groups alternate " +
            "the C and .NET sides in rounds. Never compare absolute figures across groups measured at different times.");
        md.AppendLine();
        if (raw.Groups.Count > 0)
        {
            md.AppendLine("| group | measured | rounds | commit | machine | load average at start | measured with |");
            md.AppendLine("|---|---|---:|---|---|---|---|");
            foreach (var (name, g) in raw.Groups)
                md.AppendLine($"| {name} | {Measured(g)} | {g.GetValueOrDefault("rounds", "?")} | {g.GetValueOrDefault("commit", "?")} | " +
                    $"{GroupMachine(g, machine)} | {g.GetValueOrDefault("load average at start", "?")} | {g.GetValueOrDefault("measured with", "?")} |");
            md.AppendLine();
        }
        if (raw.NotTier1.Count > 0)
        {
            md.AppendLine("**Warning: the JIT never compiled these benchmark methods at Tier 1, their .NET figures are (partly) Tier-0 code:** " +
                string.Join(", ", raw.NotTier1.Select(m => $"`{m}`")) + ".");
            md.AppendLine();
        }
        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | measured | goal | |");
        md.AppendLine("|---|---:|---:|---|");
        foreach (var c in checks)
            md.AppendLine($"| {c.Name} | {Fmt(c.Ratio, "0.00")} | {c.Goal} | {c.Verdict} |");
        foreach (var t in tables)
        {
            md.AppendLine();
            md.AppendLine($"## {t.Title}");
            md.AppendLine();
            if (raw.Groups.TryGetValue(t.Group, out var measured))
            {
                md.AppendLine($"_Group `{t.Group}`, measured {Measured(measured)} from commit {measured.GetValueOrDefault("commit", "?")} " +
                    $"on {GroupMachine(measured, machine)}, load average at start {measured.GetValueOrDefault("load average at start", "?")}._");
                md.AppendLine();
            }
            if (t.Note is not null)
            {
                md.AppendLine(t.Note);
                md.AppendLine();
            }
            md.AppendLine("| " + string.Join(" | ", t.Columns) + " |");
            md.AppendLine("|" + string.Join("|", t.Columns.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
            foreach (var r in t.Rows) md.AppendLine("| " + string.Join(" | ", r) + " |");
        }

        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), md.ToString());
        var json = new
        {
            date,
            mode = quick ? "quick" : "full",
            machine,
            groups = raw.Groups,
            notTier1 = raw.NotTier1,
            targets = checks.Select(c => new { c.Name, c.Ratio, c.Goal, met = c.Met }),
            tables = tables.Select(t => new { t.Title, t.Group, t.Note, t.Columns, t.Rows }),
        };
        File.WriteAllText(Path.Combine(outDir, "summary.json"),
            JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(md.ToString());
        return 0;
    }

    // ---- per-call cost ---------------------------------------------------------------------------------------

    private static Table CallTable(RawResults raw)
    {
        var t = new Table("call", "Per-call cost (ns per call, lower is better)",
            ["call", "C host", ".NET host", ".NET / C"],
            "1,024 dependent calls per invoke, 8 per loop turn, function pointer in a local, identical loop on both sides. " +
            "`np.bench/1` is a benchmark-only interface (benchmarks/native/include/np_bench.h); `stats` is np.transform/1's [leaf] function.");
        double? cInc = PerCall(raw, "call/increment");
        double? cStats = PerCall(raw, "call/stats");
        double? cStatsApi = PerCall(raw, "call/stats_host_api");
        const string tc = "NativePlugins.Benchmarks.CallCost.TrivialCallBenchmarks.";
        const string sc = "NativePlugins.Benchmarks.CallCost.StatsBenchmarks.";
        t.Add("np.bench/1 increment: C fn pointer vs `delegate* unmanaged[Cdecl]`", cInc, raw.BdnNs(tc + "Increment"),
            "trivial call", "<= 1.5");
        t.Add("np.bench/1 increment bound as [leaf] (`SuppressGCTransition`)", cInc, raw.BdnNs(tc + "IncrementSuppressGCTransition"));
        t.Add("stats [leaf], bare pointer with `SuppressGCTransition`", cStats, raw.BdnNs(sc + "StatsSuppressGCTransition"),
            "[leaf] call with SuppressGCTransition", "<= 1.2");
        t.Add("stats, bare pointer with GC transition", cStats, raw.BdnNs(sc + "StatsCdecl"));
        t.Add("stats [leaf], bare pointer, 40-byte struct zeroed before each call (as TryGetStats does)", cStats,
            raw.BdnNs(sc + "StatsZeroedStructPerCall"));
        t.Add("stats through the host API (nph_instance_stats vs TransformInstance.TryGetStats)", cStatsApi,
            raw.BdnNs(sc + "StatsHostApi"), "[leaf] call through the host API", "<= 1.2");
        t.Add("stats: .NET host API vs bare C function pointer", cStats, raw.BdnNs(sc + "StatsHostApi"));
        return t;
    }

    /// <summary>The call/* benchmarks of the C harness make 1,024 calls per iteration.</summary>
    private static double? PerCall(RawResults raw, string name) => raw.NativeNs(name) / 1024;

    // ---- pipeline throughput ---------------------------------------------------------------------------------

    private static Table PipelineTable(RawResults raw)
    {
        var t = new Table("pipeline", "Pipeline throughput: upper | grep | count (million input records/s, higher is better)",
            ["record bytes x batch", "C host (np_c_host)", ".NET host", ".NET host / C host", "C raw vtable calls", ".NET raw vtable calls", ".NET raw / C raw",
             "plain managed C#", ".NET host / managed"],
            "Three np.transform/1 stages of the benchmark plugin, each batch through all three. The target ratio is '.NET host / C host': " +
            "the .NET host's Pipeline against np_c_host's pipeline (native/c-host), shape by shape. 'raw' calls the same instances " +
            "straight through their vtables, with none of a host's checks (C: harness/pipeline.cc, .NET: Abi/RawPipeline.cs): the " +
            "same native work behind the same three calls per batch on both sides, so '.NET raw / C raw' is the ABI call cost from " +
            ".NET and shows how well this run measured (identical code paths read near 1.00). 'plain managed C#' is the same logic " +
            "without any ABI (Throughput/ManagedPipeline.cs).");
        const string pc = "NativePlugins.Benchmarks.Throughput.PipelineBenchmarks.";
        double worst = double.MaxValue;
        bool any = false;
        foreach (var size in new[] { 16, 128, 1024 })
            foreach (var batch in new[] { 64, 1024, 8192 })
            {
                double? cHost = PerSecond(batch, raw.NativeNs($"pipeline/c_host/{size}/{batch}"));
                double? cRaw = PerSecond(batch, raw.NativeNs($"pipeline/c_raw/{size}/{batch}"));
                var p = $"?RecordSize={size}&BatchSize={batch}";
                double? net = PerSecond(batch, raw.BdnNs(pc + "DotNetHost" + p));
                double? managed = PerSecond(batch, raw.BdnNs(pc + "ManagedCSharp" + p));
                double? netRaw = PerSecond(batch, raw.BdnNs(pc + "DotNetRaw" + p));
                double? ratio = net / cHost;
                if (ratio is { } r && double.IsFinite(r))
                {
                    worst = Math.Min(worst, r);
                    any = true;
                }
                t.Rows.Add([$"{size} x {batch}", M(cHost), M(net), Fmt(ratio, "0.00"), M(cRaw), M(netRaw), Fmt(netRaw / cRaw, "0.00"),
                    M(managed), Fmt(net / managed, "0.00")]);
            }
        t.Checks.Add(new Check("pipeline throughput, .NET host / C host (np_c_host), worst of 9 shapes", any ? worst : null, ">= 0.95", r => r >= 0.95));
        return t;
    }

    private static double? PerSecond(int items, double? ns) => ns is { } v && v > 0 ? items * 1e9 / v : null;

    private static string M(double? perSecond) => Fmt(perSecond / 1e6, "0.0");

    // ---- peers: the same pipeline through the systems a user could pick instead -----------------------------------

    private static Table PeersTable(RawResults raw)
    {
        var others = PeerSystems.All.Skip(1).ToList();
        var t = new Table("peers", "Peers: upper | grep | count through other plugin systems (million input records/s, higher is better)",
            ["record bytes x batch", .. PeerSystems.All.Select(s => s.Short), .. others.Select(s => $"{s.Short} / in-process")],
            "The pipeline group's three stages and records at the same 9 shapes, through each system in one BenchmarkDotNet run " +
            "(Peers/PeerBenchmarks.cs; what each peer is and how fairly it is compared: benchmarks/README.md, group peers). Ratios " +
            "are a peer's throughput over NativePlugins in-process (below 1.00: NativePlugins is faster). Every peer's output is " +
            "checked equal to NativePlugins' at setup. McMaster ALC = managed plugins loaded by McMaster.NETCore.Plugins 2.0.0 " +
            "into a collectible AssemblyLoadContext; Wasmtime = the benchmark plugin's C compiled to wasm32, run by Wasmtime for " +
            ".NET 50.0.1; plain C# = the same stages without a plugin system. NativePlugins isolated = the same library in an " +
            "nplug-worker process (PluginHostOptions.Isolation = ProcessPerLibrary): the three stages run as one chain request " +
            "per batch over shared record buffers (input from RecordBuffer.CreateShared, the pipeline's own buffers shared: no copy between the processes); 'same CPU' leaves the worker on the pinned host's CPU (it inherits the pin), " +
            "'own CPU' moves it to another one; 'restricted (copies)' is the own-CPU worker with IsolationOptions.Restricted, " +
            "which is never handed host memory, so every batch is copied in and its output out; it is NativePlugins itself, " +
            "so it is not a peer in the 'fastest peer' check.");
        const string pc = "NativePlugins.Benchmarks.Peers.PeerBenchmarks.";
        double worst = double.MaxValue;
        bool any = false;
        var worstIsolated = new Dictionary<string, double>();
        foreach (var size in new[] { 16, 128, 1024 })
            foreach (var batch in new[] { 64, 1024, 8192 })
            {
                var p = $"?RecordSize={size}&BatchSize={batch}";
                var perSecond = PeerSystems.All.ToDictionary(s => s.Key, s => PerSecond(batch, raw.BdnNs(pc + s.Key + p)));
                double? inProcess = perSecond[PeerSystems.NativeInProcess];
                string Cell(string key) => perSecond[key] is { } v ? M(v) : PeerMissing(raw, key);
                string Ratio(string key) => perSecond[key] is { } v ? Fmt(v / inProcess, "0.00") : PeerMissing(raw, key);
                t.Rows.Add([$"{size} x {batch}", .. PeerSystems.All.Select(s => Cell(s.Key)), .. others.Select(s => Ratio(s.Key))]);
                var fastestPeer = others.Where(s => !PeerSystems.IsIsolated(s.Key)).Select(s => perSecond[s.Key])
                    .OfType<double>().DefaultIfEmpty().Max();
                foreach (var key in new[] { PeerSystems.NativeIsolated, PeerSystems.NativeIsolatedOwnCpu })
                    if (batch >= 1024 && inProcess is { } ip && perSecond[key] is { } iso)
                        worstIsolated[key] = Math.Min(worstIsolated.GetValueOrDefault(key, double.MaxValue), iso / ip);
                if (inProcess is { } np && fastestPeer > 0)
                {
                    worst = Math.Min(worst, np / fastestPeer);
                    any = true;
                }
            }
        t.Checks.Add(new Check("peers: NativePlugins in-process / fastest peer (throughput), worst of 9 shapes", any ? worst : null,
            ">= 1.00", r => r >= 1.0));
        foreach (var (key, where) in new[] { (PeerSystems.NativeIsolatedOwnCpu, "worker on its own CPU"), (PeerSystems.NativeIsolated, "worker on the host's CPU") })
            t.Checks.Add(new Check($"peers: NativePlugins isolated ({where}) / in-process (throughput), worst of 6 shapes at 1024 and 8192 records per batch",
                worstIsolated.TryGetValue(key, out var w) ? w : null, ">= 0.80", r => r >= 0.8));
        return t;
    }

    // ---- isolation: the worker's round trip against the two-process floor, its start and its restart -----------------

    private static Table IsolationTable(RawResults raw)
    {
        var t = new Table("isolation", "Isolation: the round trip through the worker, its start and its restart",
            ["what", "worker on the host's CPU", "worker on its own CPU"],
            "Empty call = TransformInstance.Process of an empty batch on an isolated instance (Isolation/IsolationRoundTripBenchmarks.cs): " +
            "request, the plugin's call on nothing, reply. Its floor is a bare ping-pong between two processes measured by the C " +
            "harness in the same group run (harness/isolation.cc): two eventfds (blocking), a futex (blocking), a spinning word " +
            "(own CPU only). Same CPU = the worker inherits run.sh's pin, every hand-off is a context switch; own CPU = the worker " +
            "(and the ping-pong's child) on another CPU. Start = fresh host: Load with ProcessPerLibrary (nplug-worker started, " +
            "library loaded in it), create, one one-record batch back; restart = after a crash (outside the clock), the next call: " +
            "new worker, load, create, the batch (Isolation/IsolationStartBenchmarks.cs).");
        const string rc = "NativePlugins.Benchmarks.Isolation.IsolationRoundTripBenchmarks.EmptyCall?Worker=";
        const string sc = "NativePlugins.Benchmarks.Isolation.IsolationStartBenchmarks.";
        double? Us(double? ns) => ns / 1e3;
        double? same = Us(raw.BdnNs(rc + WorkerCpu.SameCpu)), own = Us(raw.BdnNs(rc + WorkerCpu.OwnCpu));
        double? efdSame = Us(raw.NativeNs("isolation/eventfd_pingpong/same_cpu")), efdOther = Us(raw.NativeNs("isolation/eventfd_pingpong/other_cpu"));
        double? futexSame = Us(raw.NativeNs("isolation/futex_pingpong/same_cpu")), futexOther = Us(raw.NativeNs("isolation/futex_pingpong/other_cpu"));
        double? spinOther = Us(raw.NativeNs("isolation/spin_pingpong/other_cpu"));
        t.Rows.Add(["empty call through the worker (µs)", Fmt(same, "0.00"), Fmt(own, "0.00")]);
        t.Rows.Add(["floor: eventfd ping-pong between two processes (µs)", Fmt(efdSame, "0.00"), Fmt(efdOther, "0.00")]);
        t.Rows.Add(["floor: futex ping-pong between two processes (µs)", Fmt(futexSame, "0.00"), Fmt(futexOther, "0.00")]);
        t.Rows.Add(["floor: spinning ping-pong between two processes (µs)", "", Fmt(spinOther, "0.00")]);
        t.Rows.Add(["empty call / eventfd floor", Fmt(same / efdSame, "0.00"), Fmt(own / efdOther, "0.00")]);
        double? start = raw.BdnNs(sc + "WorkerStartToFirstResult") / 1e6, restart = raw.BdnNs(sc + "RestartAfterCrash") / 1e6;
        t.Rows.Add(["worker start to first result (ms)", Fmt(start, "0.00"), ""]);
        t.Rows.Add(["restart: crash -> next successful call (ms)", Fmt(restart, "0.00"), ""]);
        t.Checks.Add(new Check("isolation: empty call round trip, worker on its own CPU (µs)", own, "<= 10", r => r <= 10));
        t.Checks.Add(new Check("isolation: empty call round trip, worker on the host's CPU (µs)", same, "<= 10", r => r <= 10));
        return t;
    }

    /// <summary>Why a peer has no figure: not built (Wasm without its toolchain), a hook not filled yet, or not run.</summary>
    private static string PeerMissing(RawResults raw, string key) => key switch
    {
        PeerSystems.Wasmtime when !PeerPaths.WasmModuleBuilt => "not built",
        _ => raw.Groups.ContainsKey("peers") ? "n/a" : "not run",
    };

    private static Table PeersStartTable(RawResults raw)
    {
        var t = new Table("peers", "Peers: cold start and resident memory (fresh process per sample, medians)",
            ["system", "load (ms)", "create 3 stages (ms)", "first batch (ms)", "to first result (ms)", "to first result / in-process",
             "second batch (µs)", "RSS after load (KiB)", "RSS after load + create + one batch (KiB)"],
            $"One fresh process per sample (Peers/PeerProbeChild.cs), {PeerProbeChild.RecordSize}-byte records x {PeerProbeChild.BatchSize}. " +
            "Nothing is warmed first: each figure is what that system's user pays from a fresh process, its own first use " +
            "included (NativePlugins: host library JIT, dlopen, negotiation, validation, init; McMaster: load context, " +
            "dependency resolution, plugin JIT; Wasmtime: native runtime, Cranelift compile of the module, one instance per " +
            "stage; plain C#: JIT of the pipeline). Load = PluginHost.Load / PluginLoader + entry type / Engine + Module " +
            "compile / nothing. RSS = VmRSS delta after a full GC.");
        double? nativeTotal = PeerProbe(raw, "Cold", PeerSystems.NativeInProcess, out _)?.GetProperty("TotalMs").GetDouble();
        foreach (var (key, label, _) in PeerSystems.All)
        {
            var cold = PeerProbe(raw, "Cold", key, out var coldStatus);
            var rss = PeerProbe(raw, "Rss", key, out var rssStatus);
            if (PeerSystems.IsIsolated(key)) coldStatus = rssStatus = "not measured (isolation group)";
            double? V(JsonElement? e, string field) => e?.GetProperty(field).GetDouble();
            t.Rows.Add([label,
                cold is null ? coldStatus : Fmt(V(cold, "LoadMs"), "0.00"), Fmt(V(cold, "CreateMs"), "0.00"), Fmt(V(cold, "FirstProcessMs"), "0.00"),
                Fmt(V(cold, "TotalMs"), "0.00"), Fmt(V(cold, "TotalMs") / nativeTotal, "0.00"), Fmt(V(cold, "WarmProcessMs") * 1e3, "0.0"),
                rss is null ? rssStatus : Fmt(V(rss, "LoadKiB"), "0"), Fmt(V(rss, "LoadCreateProcessKiB"), "0")]);
        }
        return t;
    }

    /// <summary>The median sample of a peer probe, or null with the reason (not built, failed, not run).</summary>
    private static JsonElement? PeerProbe(RawResults raw, string section, string key, out string status)
    {
        status = "not run";
        if (raw.PeerProbes is not { } p || !p.TryGetProperty(section, out var s) || !s.TryGetProperty(key, out var r)) return null;
        status = r.GetProperty("Status").GetString() ?? "?";
        return status == "ok" ? r.GetProperty("Median") : null;
    }

    // ---- plugin call per language ----------------------------------------------------------------------------

    private static Table PluginCallTable(RawResults raw)
    {
        var t = new Table("plugin-call", "Cost of one plugin call per plugin language (ns, lower is better)",
            ["plugin (benchmarks/plugin-targets.tsv)", "process: C host", "process: .NET host", ".NET / C", "stats: C host", "stats: .NET host", ".NET / C"],
            "process = one call with a one-record batch through the host API (np_c_host / TransformInstance); stats only where the plugin offers it.");
        const string pc = "NativePlugins.Benchmarks.CallCost.PluginCallBenchmarks.Process?Target=";
        const string sc = "NativePlugins.Benchmarks.CallCost.PluginStatsBenchmarks.Stats?Target=";
        foreach (var target in PluginTargets.All)
        {
            var label = $"{target.Language}: {target.PluginId}";
            if (!target.IsBuilt)
            {
                t.Rows.Add([label, "not built", "not built", "", "", "", ""]);
                continue;
            }
            double? cp = raw.NativeNs($"plugin_call/process/{target.Key}"), np = raw.BdnNs(pc + target.Key);
            double? cs = raw.NativeNs($"plugin_call/stats/{target.Key}"), ns = raw.BdnNs(sc + target.Key);
            t.Rows.Add([label, Fmt(cp, "0.0"), Fmt(np, "0.0"), Fmt(np / cp, "0.00"),
                cs is null && ns is null ? "no stats" : Fmt(cs, "0.0"), Fmt(ns, "0.0"), Fmt(ns / cs, "0.00")]);
        }
        return t;
    }

    // ---- load ----------------------------------------------------------------------------------------------------

    private static Table LoadTable(RawResults raw)
    {
        var t = new Table("load", "Load time of one library (µs, lower is better)",
            ["library", "C: dlopen", "C: np_c_host load", "C host / dlopen", ".NET: NativeLibrary.Load", ".NET: PluginHost.Load", ".NET host / NativeLibrary.Load"],
            "Load = dlopen + np_entry negotiation + descriptor validation + init; one load per iteration, unloaded outside the clock (the file is really unmapped each time).");
        const string lc = "NativePlugins.Benchmarks.Loading.LoadBenchmarks.";
        foreach (var target in PluginTargets.All)
        {
            var key = target.Key;
            var label = $"{target.Language}: {Path.GetFileName(target.Path)}";
            double? dl = raw.NativeNs($"load/dlopen/{key}"), ch = raw.NativeNs($"load/c_host/{key}");
            double? nl = raw.BdnNs($"{lc}BareNativeLibraryLoad?Target={key}"), nh = raw.BdnNs($"{lc}DotNetHostLoad?Target={key}");
            if (!target.IsBuilt)
            {
                t.Rows.Add([label, "not built", "", "", "", "", ""]);
                continue;
            }
            if (dl is null && ch is null && nl is null && nh is null)
            {
                t.Rows.Add([label, "stays mapped (not unloadable): see cold start", "", "", "", "", ""]);
                continue;
            }
            t.Rows.Add([label, Us(dl), Us(ch), Fmt(ch / dl, "0.00"), Us(nl), Us(nh), Fmt(nh / nl, "0.00")]);
            if (key is "c-raw" or "c")
                t.Checks.Add(new Check($"load + negotiation + validation vs bare NativeLibrary.Load ({Path.GetFileName(target.Path)})",
                    nh / nl, "<= 1.2", r => r <= 1.2));
        }
        return t;
    }

    private static string Us(double? ns) => Fmt(ns / 1e3, "0.0");

    // ---- discovery -----------------------------------------------------------------------------------------------

    private static Table DiscoveryTable(RawResults raw)
    {
        var t = new Table("discovery", "Discovery of a folder of distinct plugin libraries (ms, lower is better)",
            ["libraries", "C: list + dlopen", "C: np_c_host", ".NET: list + NativeLibrary.Load", ".NET: PluginHost.LoadDirectories", ".NET host / C host", ".NET host / .NET bare", ".NET host per library (µs)",
             ".NET: Discover, warm cache", ".NET: Discover, cold scan (nplug-scan)", "warm cache / LoadDirectories",
             ".NET: Discover, 10 files touched", ".NET: Discover, 1 file replaced"],
            "Each library is one compile of benchmarks/native/plugins/np_bench_discovery_plugin.c with its own plugin id; unloading is outside the clock. " +
            "Discover lists the plugins without loading them: from the registry cache (one statx per file, target <= 10 ms for 1,000) or, cold, by the out-of-process scanner. " +
            "The last two columns change files under a warm cache first (10 touched, or 1 replaced by rename): those are scanned out of process, the rest come from the cache.");
        const string dc = "NativePlugins.Benchmarks.Loading.DiscoveryBenchmarks.";
        foreach (var n in new[] { 10, 100, 1000 })
        {
            double? cd = raw.NativeNs($"discovery/dlopen/{n}"), ch = raw.NativeNs($"discovery/c_host/{n}");
            double? nb = raw.BdnNs($"{dc}BareNativeLibraryLoad?Libraries={n}"), nh = raw.BdnNs($"{dc}DotNetHost?Libraries={n}");
            double? warm = raw.BdnNs($"{dc}DiscoverWarmCache?Libraries={n}"), cold = raw.BdnNs($"{dc}DiscoverColdScan?Libraries={n}");
            double? touched = raw.BdnNs($"{dc}DiscoverAfterTouchingTen?Libraries={n}"), replaced = raw.BdnNs($"{dc}DiscoverAfterReplacingOne?Libraries={n}");
            if (cd is null && ch is null && nb is null && nh is null && warm is null && cold is null)
            {
                t.Rows.Add([n.ToString(Inv), "not built", "", "", "", "", "", "", "", "", "", "", ""]);
                continue;
            }
            t.Rows.Add([n.ToString(Inv), Ms(cd), Ms(ch), Ms(nb), Ms(nh), Fmt(nh / ch, "0.00"), Fmt(nh / nb, "0.00"), Fmt(nh / n / 1e3, "0.0"),
                Ms(warm), Ms(cold), Fmt(warm / nh, "0.000"), Ms(touched), Ms(replaced)]);
            if (n == 1000)
                t.Checks.Add(new Check("Discover from a warm registry cache, 1,000 libraries (ms)", warm / 1e6, "<= 10", r => r <= 10));
        }
        return t;
    }

    private static string Ms(double? ns) => Fmt(ns / 1e6, "0.00");

    // ---- cold start and memory (child processes) -------------------------------------------------------------------

    private static Table ColdStartTable(RawResults raw)
    {
        var t = new Table("probes", "Cold start, fresh process per sample (ms, median of the samples)",
            ["plugin", "C host: load", "C host: to first result", ".NET host: load", ".NET host: create", ".NET host: first process",
             ".NET host: to first result", ".NET / C (to first result)", ".NET host: second process (µs)"],
            "Load = dlopen + np_entry + validation + init; a NativeAOT plugin starts its runtime at its first exported call, a hosted " +
            "plugin boots CoreCLR in a C host and joins the running one in a .NET host. Each child warms its host library on the " +
            "benchmark plugin first, so the figures are the plugin's (the .NET host's own first-use JIT work is excluded; its calls " +
            "still run Tier-0 code in a fresh process).");
        foreach (var target in PluginTargets.All)
        {
            var label = $"{target.Language} ({target.Key})";
            var net = ProbeMedian(raw, "Cold", target.Key, out var netStatus);
            var c = ProbeMedian(raw, "CCold", target.Key, out var cStatus);
            if (net is null && c is null)
            {
                t.Rows.Add([label, netStatus, "", "", "", "", "", "", ""]);
                continue;
            }
            double? cTotal = c?.GetProperty("TotalMs").GetDouble(), nTotal = net?.GetProperty("TotalMs").GetDouble();
            t.Rows.Add([label,
                c is { } cc ? Fmt(cc.GetProperty("LoadMs").GetDouble(), "0.00") : cStatus, Fmt(cTotal, "0.00"),
                net is { } n ? Fmt(n.GetProperty("LoadMs").GetDouble(), "0.00") : netStatus,
                Fmt(net?.GetProperty("CreateMs").GetDouble(), "0.000"), Fmt(net?.GetProperty("FirstProcessMs").GetDouble(), "0.000"),
                Fmt(nTotal, "0.00"), Fmt(nTotal / cTotal, "0.00"), Fmt(net?.GetProperty("WarmProcessMs").GetDouble() * 1e3, "0.0")]);
        }
        return t;
    }

    private static Table MemoryTable(RawResults raw)
    {
        var t = new Table("probes", "Resident memory per loaded plugin library (KiB, median VmRSS delta in a fresh process)",
            ["plugin", "C host: after load", "C host: + create + one batch", ".NET host: after load", ".NET host: + create + one batch",
             ".NET: further bare load", ".NET host: further load"],
            "Measured around the load (and then create + one batch) after warming the host library on another plugin; the .NET " +
            "figures are taken after a full GC and include what the host itself allocates per library, and the first load of a " +
            "fresh process also pays one-time costs (the GC heap settling). The last two columns are what each further load " +
            "costs in the same process once settled (medians of 5 alternating cycles of a bare NativeLibrary.Load and a " +
            "PluginHost.Load of the same file, each unloaded again; not for libraries that stay mapped).");
        foreach (var target in PluginTargets.All)
        {
            var net = ProbeMedian(raw, "Rss", target.Key, out var netStatus);
            var c = ProbeMedian(raw, "CRss", target.Key, out var cStatus);
            string K(JsonElement? e, string field, string status) => e is { } x ? x.GetProperty(field).GetInt64().ToString(Inv) : status;
            string S(JsonElement? e, string field) =>
                e is { } x && x.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
                    ? v.GetInt64().ToString(Inv) : e is null ? "" : "stays mapped";
            t.Rows.Add([$"{target.Language} ({target.Key})", K(c, "LoadKiB", cStatus), K(c, "LoadCreateProcessKiB", ""),
                K(net, "LoadKiB", netStatus), K(net, "LoadCreateProcessKiB", ""), S(net, "SteadyBareKiB"), S(net, "SteadyHostKiB")]);
        }
        return t;
    }

    private static Table LifecycleTable(RawResults raw)
    {
        var t = new Table("lifecycle", "Lifecycle soak: what load/unload cycles and hot reloads of a C library leave behind (.NET host)",
            ["cycle", "cycles", "us per cycle", "RSS before -> after (KiB)", "native RSS before -> after (KiB)", "fds before -> after",
             "mappings before -> after"],
            "One process; every cycle also creates an instance and runs a batch. Load/unload: PluginHost.Load, create, " +
            "process, dispose, PluginLibrary.Dispose (deinit + dlclose). Hot reload: the file rewritten in place with the other " +
            "version, PluginHost.Reload (shadow copy, checks, init), a pipeline moving to the new version at its next batch, the " +
            "old one unloaded and its copy deleted. Footprint after a full GC, after 200 warm-up cycles; flat means no per-cycle " +
            "leak (a library left mapped is about 5 mappings per cycle, an unclosed descriptor 1). Native RSS is RSS minus the " +
            "GC's committed heap, which grows to fit the allocation rate and stays (no leak); both settle within the first " +
            "10,000 cycles.");
        if (raw.Lifecycle is not { } l)
        {
            t.Rows.Add(["not run", "", "", "", "", "", ""]);
            return t;
        }
        foreach (var (label, key) in new[] { ("load/unload", "LoadUnload"), ("hot reload", "Reload") })
        {
            var f = l.GetProperty(key);
            JsonElement before = f.GetProperty("Before"), after = f.GetProperty("After");
            string Pair(string field) => $"{before.GetProperty(field).GetInt64()} -> {after.GetProperty(field).GetInt64()}";
            t.Rows.Add([label, f.GetProperty("Cycles").GetInt32().ToString(Inv), Fmt(f.GetProperty("MicrosecondsPerCycle").GetDouble(), "0.0"),
                Pair("RssKiB"), Pair("NativeKiB"), Pair("Descriptors"), Pair("Mappings")]);
        }
        return t;
    }

    /// <summary>The median sample of a probe, or null with the reason (not built, failed, not run).</summary>
    private static JsonElement? ProbeMedian(RawResults raw, string section, string key, out string status)
    {
        status = "not run";
        if (raw.Probes is not { } p || !p.TryGetProperty(section, out var s) || !s.TryGetProperty(key, out var r)) return null;
        status = r.GetProperty("Status").GetString() ?? "?";
        return status == "ok" ? r.GetProperty("Median") : null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static Dictionary<string, string> Machine(RawResults raw)
    {
        var m = new Dictionary<string, string>();
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        m["cpu"] = cpu is null ? "?" : cpu[(cpu.IndexOf(':') + 1)..].Trim();
        m["cores"] = Environment.ProcessorCount.ToString(Inv);
        m["os"] = RuntimeInformation.OSDescription;
        m["runtime"] = raw.BdnHostInfo ?? RuntimeInformation.FrameworkDescription;
        if (raw.NativeContext is { } ctx && ctx.TryGetProperty("library_build_type", out var bt)) m["Google Benchmark library build"] = bt.GetString() ?? "?";
        var env = Path.Combine(raw.Dir, "environment.txt");
        if (File.Exists(env))
            foreach (var line in File.ReadLines(env))
                if (line.Split('=', 2) is [var k, var v]) m[k] = v;
        return m;
    }

    /// <summary>The machine a group was measured on: its own record (run.sh writes it per group), else this report's
    /// machine (raw results of older runs, which recorded it once per run).</summary>
    private static string GroupMachine(Dictionary<string, string> group, Dictionary<string, string> machine) =>
        group.GetValueOrDefault("machine") ?? $"{machine.GetValueOrDefault("cpu", "?")}, {machine.GetValueOrDefault("cores", "?")} cores";

    /// <summary>"2026-11-21 01:33 to 01:36 UTC" from a group's record.</summary>
    private static string Measured(Dictionary<string, string> group)
    {
        var from = group.GetValueOrDefault("started", "?");
        var to = group.GetValueOrDefault("finished", "?");
        // Same day: only the finishing time ("2026-11-21 01:33 UTC" is 20 characters, the time starts at 11).
        if (from.Length == 20 && to.Length == 20 && from[..11] == to[..11]) return $"{from[..16]} to {to[11..]}";
        return $"{from} to {to}";
    }

    private static string Fmt(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, Inv) : "n/a";

    private sealed class Table(string group, string title, string[] columns, string? note = null)
    {
        /// <summary>The run.sh group whose raw results the table shows.</summary>
        public string Group { get; } = group;
        public string Title { get; } = title;
        public string[] Columns { get; } = columns;
        public string? Note { get; } = note;
        public List<string[]> Rows { get; } = [];
        public List<Check> Checks { get; } = [];

        /// <summary>A C-vs-.NET row (ns per call): ratio .NET / C, and a target check when named.</summary>
        public void Add(string what, double? c, double? net, string? targetName = null, string? goal = null)
        {
            double? ratio = net / c;
            Rows.Add([what, Fmt(c, "0.00"), Fmt(net, "0.00"), Fmt(ratio, "0.00")]);
            if (targetName is not null)
                Checks.Add(new Check(targetName + ", .NET host / C host", ratio, goal!, r => r <= double.Parse(goal!.TrimStart('<', '=', ' '), Inv)));
        }
    }

    private sealed record Check(string Name, double? Ratio, string Goal, Func<double, bool> Test)
    {
        public bool? Met => Ratio is { } r ? Test(r) : null;
        public string Verdict => Met switch { true => "met", false => "**MISSED**", null => "not measured" };
    }
}
