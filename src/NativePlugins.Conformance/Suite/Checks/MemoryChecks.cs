using System.Diagnostics;
using System.Text;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P4: inputs are not kept after the call; host-allocator allocations are freed by destroy/deinit and
/// never across allocators; resident memory does not grow over repeated create/destroy.</summary>
internal static unsafe class MemoryChecks
{
    public const int RssWarmup = 200;
    public const int RssSegment = 500;
    public const int RssMaxCycles = 20_000;
    /// <summary>Growth over the second half of the measured cycles above this (and above
    /// <see cref="RssLeakPerCycle"/> per cycle) is a leak.</summary>
    public const long RssTolerance = 4L << 20;
    public const long RssLeakPerCycle = 1024;
    /// <summary>Total growth beyond this is a leak at once: no garbage-collected heap's budget is that large.</summary>
    public const long RssRunaway = 256L << 20;

    public static IEnumerable<Check> All =>
    [
        new(new("memory.host-allocations", "P4",
            "Everything allocated through an instance's host table is freed, with the same size and align, by the time destroy returns (after create, a stream, a stream without flush, a failed create); the table is not used after destroy.",
            CheckScope.Transform, "transform-b"), HostAllocations),
        new(new("memory.library-allocations", "P4",
            "Everything allocated through the table given to init is freed by the time the last deinit returns.",
            CheckScope.Library, "init", CheckIsolation.OwnProcess), LibraryAllocations),
        new(new("memory.rss-flat", "P4",
            $"Resident memory stops growing over repeated create + stream + destroy cycles (up to {RssMaxCycles:N0}, measured every {RssSegment}): a garbage-collected plugin may grow to its heap budget, then must stay flat.",
            CheckScope.Transform, "rss", CheckIsolation.OwnProcess, TimeoutScale: 3), RssFlat),
        new(new("memory.inputs-not-kept", "P4",
            "The config and every batch are unmapped as soon as the call that received them returns: later calls must not touch them (a crash here means a kept pointer).",
            CheckScope.Transform, "transform-b"), InputsNotKept),
    ];

    private static void ExpectBalanced(CheckContext c, TestHost host, string scenario)
    {
        foreach (var p in host.Problems) c.Problem($"{scenario}: {p}");
        var outstanding = host.Outstanding;
        if (outstanding.Count > 0)
            c.Problem($"{scenario}: {outstanding.Count} host allocation(s) not freed when destroy returned " +
                      $"({string.Join(", ", outstanding.Take(3).Select(b => $"{b.Size} bytes align {b.Align}"))}{(outstanding.Count > 3 ? ", …" : "")})");
    }

    private static void HostAllocations(CheckContext c)
    {
        var plugin = c.Plugin;
        long allocations = 0;
        void Scenario(string name, Action<TransformSession> body)
        {
            using var host = new TestHost("instance", plugin.Library.AgreedMinor);
            var s = c.OpenSession(host: host);
            c.Phase(name);
            body(s);
            s.Dispose();
            allocations += host.Allocations;
            ExpectBalanced(c, host, name);
        }

        Scenario("create + destroy", _ => { });
        Scenario("create + stream + flush + destroy", s => s.RunStream(c.Batches));
        Scenario("create + process without flush + destroy", s => s.Process(c.Batches[0]));

        c.Phase("3 instances interleaved, destroyed in reverse order");
        var hosts = Enumerable.Range(0, 3).Select(_ => new TestHost("instance", plugin.Library.AgreedMinor)).ToList();
        var sessions = hosts.Select(h => c.OpenSession(host: h)).ToList();
        foreach (var b in c.Batches) sessions.ForEach(s => s.Process(b));
        for (var i = sessions.Count - 1; i >= 0; i--) sessions[i].Dispose();
        foreach (var h in hosts)
        {
            allocations += h.Allocations;
            ExpectBalanced(c, h, "interleaved instances");
            h.Dispose();
        }

        c.Phase("a create that fails (malformed config)");
        using (var host = new TestHost("instance", plugin.Library.AgreedMinor))
        using (var error = new ErrorBuffer())
        {
            np_instance_t* instance = null;
            var status = plugin.Api.Create(host.Table, "nplug-check-unknown-key=1", &instance, error.Ptr);
            if (status == NpAbi.NP_OK && instance != null) plugin.Api.Destroy(instance);
            allocations += host.Allocations;
            foreach (var p in host.Problems) c.Problem($"failed create: {p}");
            if (host.Outstanding.Count > 0)
                c.Problem($"a create that returned {Status.Name(status)} left {host.Outstanding.Count} host allocation(s) behind");
        }

        foreach (var stale in TestHost.DrainStaleCalls()) c.Problem(stale);
        c.Passed(allocations == 0 ? "the plugin does not use the host allocator; no misuse" : $"{allocations} host allocations, all freed by destroy");
    }

    private static void LibraryAllocations(CheckContext c)
    {
        var lib = c.Library;
        var library = lib.Library;
        if (library->init == null || library->deinit == null) c.Skip("init or deinit is NULL (see descriptor.library)");
        var host = new TestHost("library", lib.AgreedMinor);
        using var error = new ErrorBuffer();
        c.Phase("init");
        var status = library->init(host.Table, error.Ptr);
        if (status != NpAbi.NP_OK) c.Skip($"init returned {Status.Name(status)}: {error.Describe()} (see library.init-deinit)");
        foreach (var plugin in EntryChecks.TransformPlugins(c, lib))
        {
            c.Phase($"a stream on {plugin.Id}");
            using var s = TransformSession.TryOpen(plugin, out _);
            s?.RunStream(c.Batches);
        }
        c.Phase("deinit");
        library->deinit();
        foreach (var p in host.Problems) c.Problem($"library table: {p}");
        var outstanding = host.Outstanding;
        if (outstanding.Count > 0)
            c.Problem($"{outstanding.Count} allocation(s) through the init table not freed when deinit returned ({string.Join(", ", outstanding.Take(3).Select(b => $"{b.Size} bytes"))})");
        host.Dispose();
        c.Passed($"{host.Allocations} allocation(s) through the init table, all freed by deinit");
    }

    private static void RssFlat(CheckContext c)
    {
        if (!ProcessMemory.Available) c.Skip("/proc/self/statm is not available on this system");
        var plugin = c.Plugin;
        var api = plugin.Api;
        var config = Encoding.UTF8.GetBytes(plugin.Config);
        var batches = c.Batches.Select(b => NativeBatch.From(b)).ToList();
        using var host = new TestHost("instance", plugin.Library.AgreedMinor);
        using var error = new ErrorBuffer();
        var budget = Stopwatch.StartNew();

        // One cycle: create, the sample stream, flush, destroy; the emitter is reused (cleared) so that the loop itself
        // allocates nothing that could grow.
        using var emitter = new TestEmitter();
        bool Cycle()
        {
            np_instance_t* instance = null;
            if (api.Create(host.Table, config, &instance, error.Ptr) != NpAbi.NP_OK || instance == null) return false;
            foreach (var b in batches)
            {
                emitter.Ptr->data_used = 0;
                emitter.Ptr->count = 0;
                api.Process(instance, b.Ptr, emitter.Ptr, error.Ptr);
            }
            emitter.Ptr->data_used = 0;
            emitter.Ptr->count = 0;
            api.Flush(instance, emitter.Ptr, error.Ptr);
            api.Destroy(instance);
            return true;
        }

        c.Phase($"{RssWarmup} warm-up cycles");
        for (var i = 0; i < RssWarmup; i++)
            if (!Cycle()) c.Skip($"create failed: {error.Describe()} (see lifecycle.basic)");
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // Resident memory after every segment. A leak grows without end; a plugin with its own garbage collector
        // (NativeAOT C#) grows until its heap budget is reached and is flat from then on, so the verdict is taken on
        // the most recent cycles, not on the total.
        var samples = new List<(int Cycles, long Rss)> { (0, ProcessMemory.ResidentBytes()) };
        var measured = 0;
        string? verdict = null;
        while (measured < RssMaxCycles && budget.Elapsed < c.WorkBudget)
        {
            c.Phase($"cycles {measured + 1}..{measured + RssSegment}");
            for (var i = 0; i < RssSegment; i++) Cycle();
            measured += RssSegment;
            samples.Add((measured, ProcessMemory.ResidentBytes()));
            if (samples[^1].Rss - samples[0].Rss > RssRunaway) { verdict = "runaway"; break; }
            if (measured >= 4 * RssSegment && samples[^1].Rss - samples[^5].Rss < (1L << 20)) { verdict = "flat"; break; }
        }
        batches.ForEach(b => b.Dispose());

        var (start, end) = (samples[0], samples[^1]);
        var half = samples[samples.Count / 2];
        var recent = end.Rss - half.Rss;
        var recentCycles = Math.Max(end.Cycles - half.Cycles, 1);
        var trail = string.Join(" ", samples.Where((_, i) => i % Math.Max(1, samples.Count / 8) == 0 || i == samples.Count - 1)
            .Select(x => $"{x.Cycles}:{ProcessMemory.Mib(x.Rss)}"));
        if (verdict == "runaway")
            c.Problem($"resident memory grew by {ProcessMemory.Mib(end.Rss - start.Rss)} in {end.Cycles:N0} create + stream + destroy cycles " +
                      $"({(end.Rss - start.Rss) / 1024.0 / end.Cycles:0.0} KiB per cycle) and was still growing");
        else if (verdict != "flat" && recent > RssTolerance && recent / recentCycles > RssLeakPerCycle)
            c.Problem($"resident memory still grows after {end.Cycles:N0} cycles: {ProcessMemory.Mib(recent)} over the last {recentCycles:N0} " +
                      $"({recent / 1024.0 / recentCycles:0.0} KiB per cycle)");
        if (measured < RssMaxCycles && verdict is null)
            c.Note($"stopped after {measured:N0} cycles: the time budget ran out (see timing.create-destroy)");
        c.Note($"RSS by cycle: {trail}");
        c.Passed($"flat after {end.Cycles:N0} cycles: RSS {ProcessMemory.Mib(start.Rss)} -> {ProcessMemory.Mib(end.Rss)}, " +
                 $"{ProcessMemory.Mib(Math.Max(0, recent))} over the last {recentCycles:N0}");
    }

    private static void InputsNotKept(CheckContext c)
    {
        var plugin = c.Plugin;
        using var host = new TestHost("instance", plugin.Library.AgreedMinor);
        using var error = new ErrorBuffer();

        // The config lives in its own mapping, taken away when create returns.
        var configBytes = Encoding.UTF8.GetBytes(plugin.Config);
        var (mapping, length) = Libc.MapAnonymous(Math.Max(configBytes.Length, 1));
        configBytes.CopyTo(new Span<byte>((void*)mapping, configBytes.Length));
        np_instance_t* instance = null;
        c.Phase("create with a config in memory that is unmapped when create returns");
        var status = plugin.Api.CreateRaw(host.Table,
            new np_str_t { ptr = configBytes.Length == 0 ? null : (byte*)mapping, len = (ulong)configBytes.Length }, &instance, error.Ptr);
        Libc.munmap((void*)mapping, length);
        if (status != NpAbi.NP_OK || instance == null) c.Skip($"create failed: {error.Describe()} (see lifecycle.basic)");

        var emitters = new List<TestEmitter>();
        try
        {
            var records = 0;
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < c.Batches.Count; i++)
                {
                    using var batch = NativeBatch.Mapped(c.Batches[i]);
                    var emitter = new TestEmitter();
                    emitters.Add(emitter);
                    c.Phase(round == 0 && i == 0
                        ? "process(batch 1) after the config was unmapped"
                        : $"process(batch {i + 1}) after the previous batch was unmapped");
                    plugin.Api.Process(instance, batch.Ptr, emitter.Ptr, error.Ptr);
                    batch.Unmap();
                    records += emitter.Ptr->count > 0 ? (int)emitter.Ptr->count : 0;
                }
                var last = new TestEmitter();
                emitters.Add(last);
                c.Phase("flush after every batch of the stream was unmapped");
                plugin.Api.Flush(instance, last.Ptr, error.Ptr);
            }
            c.Phase("destroy after every input was unmapped");
            plugin.Api.Destroy(instance);
            instance = null;
            c.Passed($"two streams with every input unmapped after its call: no access ({records} records out)");
        }
        finally
        {
            if (instance != null) plugin.Api.Destroy(instance);
            emitters.ForEach(e => e.Dispose());
        }
    }
}
