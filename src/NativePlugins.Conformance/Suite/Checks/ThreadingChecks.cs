using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>
/// Rule P9. SINGLE: an instance may move between threads (one at a time) and different instances run concurrently,
/// so the plugin has no unsynchronized global state: concurrent instances give what serial runs give. THREAD_SAFE:
/// concurrent calls on one instance give the results of some serial order. Outputs are compared only when the plugin
/// is deterministic (two fresh instances agree); otherwise the check is skipped with that reason.
/// </summary>
internal static unsafe class ThreadingChecks
{
    private const string Group = "transform-b";
    private const int StreamsPerThread = 25;
    private const int ThreadSafeRounds = 60;

    public static IEnumerable<Check> All =>
    [
        new(new("threading.single-instances", "P9",
            $"Separate instances on several threads at once ({StreamsPerThread} streams per thread) give the output of a serial run: no unsynchronized global state.",
            CheckScope.Transform, Group, TimeoutScale: 2), SingleInstances),
        new(new("threading.cross-thread-instance", "P9",
            "One instance used from a different thread for each call (one at a time) gives the output of a single-thread run: no thread-local state.",
            CheckScope.Transform, Group), CrossThreadInstance),
        new(new("threading.thread-safe-instance", "P9",
            $"For NP_THREADING_THREAD_SAFE plugins: concurrent process calls on one instance ({ThreadSafeRounds} rounds) give the outputs of some serial order of those calls.",
            CheckScope.Transform, Group, TimeoutScale: 2), ThreadSafeInstance),
    ];

    /// <summary>The serial reference transcript, or a skip when two fresh instances disagree.</summary>
    private static List<CallOutcome> Reference(CheckContext c)
    {
        List<CallOutcome> a, b;
        c.Phase("serial reference run");
        using (var s = c.OpenSession()) a = s.RunStream(c.Batches);
        using (var s = c.OpenSession()) b = s.RunStream(c.Batches);
        if (CallOutcome.Difference(a, b) is { } d)
            c.Skip($"two fresh instances give different output for the same stream ({d}): the plugin is not deterministic, so concurrent runs cannot be compared with serial ones");
        return a;
    }

    private static void SingleInstances(CheckContext c)
    {
        var reference = Reference(c);
        var threads = Math.Max(2, c.Settings.Threads);
        var differences = new List<string>[threads];
        var failures = new Exception?[threads];
        using var start = new Barrier(threads);
        c.Phase($"{threads} threads x {StreamsPerThread} streams, one instance per stream");
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            differences[t] = [];
            try
            {
                start.SignalAndWait();
                for (var round = 0; round < StreamsPerThread && differences[t].Count == 0; round++)
                {
                    var s = TransformSession.TryOpen(c.Plugin, out var created);
                    if (s is null) { differences[t].Add($"thread {t}: {created.Describe()}"); break; }
                    using (s)
                    {
                        var got = s.RunStream(c.Batches);
                        if (CallOutcome.Difference(reference, got) is { } d)
                            differences[t].Add($"thread {t}, stream {round + 1}: {d}");
                    }
                }
            }
            catch (Exception e) { failures[t] = e; }
        }, 4 << 20)
        { IsBackground = true, Name = $"nplug-check-{t}" }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        foreach (var e in failures.Where(e => e is not null)) throw e!;
        foreach (var d in differences.SelectMany(x => x))
            c.Problem($"concurrent instances differ from a serial run: {d}");
        c.Passed($"{threads} threads x {StreamsPerThread} streams = serial output");
    }

    private static void CrossThreadInstance(CheckContext c)
    {
        var reference = Reference(c);
        using var s = c.OpenSession();
        var got = new List<CallOutcome>();
        for (var i = 0; i <= c.Batches.Count; i++)
        {
            var index = i;
            c.Phase(index < c.Batches.Count ? $"process(batch {index + 1}) on a new thread" : "flush on a new thread");
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    got.Add(index < c.Batches.Count ? s.Process(c.Batches[index], call: $"process(batch {index + 1})") : s.Flush());
                }
                catch (Exception e) { failure = e; }
            }, 4 << 20)
            { IsBackground = true };
            thread.Start();
            thread.Join();
            if (failure is not null) throw failure;
        }
        if (CallOutcome.Difference(reference, got) is { } d)
            c.Problem($"calls on one instance from changing threads differ from a single-thread run: {d}");
        c.Passed($"{got.Count} calls, each on its own thread: same output as on one thread");
    }

    private static void ThreadSafeInstance(CheckContext c)
    {
        var plugin = c.Plugin;
        if (!plugin.IsThreadSafe)
            c.Skip("the plugin declares NP_THREADING_SINGLE: calls on one instance are serialized by the host");
        var k = Math.Clamp(c.Settings.Threads, 2, 4);
        var batches = SampleRecords.Batches((c.Settings.Records ?? SampleRecords.Default), k);
        k = batches.Count;
        var permutations = Permutations(Enumerable.Range(0, k).ToArray()).ToList();

        // Serial outcome of every order: per batch its call outcome, then the flush.
        c.Phase($"serial runs of all {permutations.Count} orders of {k} batches");
        var serial = new Dictionary<string, (CallOutcome[] PerBatch, CallOutcome Flush)>();
        foreach (var order in permutations) serial[string.Join(",", order)] = RunSerial(c, batches, order);
        var again = RunSerial(c, batches, permutations[0]);
        var first = serial[string.Join(",", permutations[0])];
        if (FirstDifference(first, again) is { } nd)
            c.Skip($"two fresh instances give different output for the same calls ({nd}): not deterministic, cannot compare with serial orders");

        for (var round = 1; round <= ThreadSafeRounds; round++)
        {
            c.Phase($"round {round}: {k} concurrent process calls on one instance");
            using var s = c.OpenSession();
            var outcomes = new CallOutcome[k];
            var failures = new Exception?[k];
            using var start = new Barrier(k);
            var threads = Enumerable.Range(0, k).Select(t => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    outcomes[t] = s.Process(batches[t], call: $"process(batch {t + 1})");
                }
                catch (Exception e) { failures[t] = e; }
            }, 4 << 20)
            { IsBackground = true }).ToList();
            threads.ForEach(x => x.Start());
            threads.ForEach(x => x.Join());
            foreach (var e in failures.Where(e => e is not null)) throw e!;
            var flush = s.Flush();
            var observed = (outcomes, flush);
            if (!serial.Values.Any(v => FirstDifference(v, observed) is null))
            {
                var closest = serial.Values.Select(v => FirstDifference(v, observed)!).First();
                c.Problem($"round {round}: the outputs of {k} concurrent calls match no serial order of them (against the first order: {closest})");
                break;
            }
        }
        c.Passed($"{ThreadSafeRounds} rounds of {k} concurrent calls, each equal to a serial order");
    }

    private static (CallOutcome[] PerBatch, CallOutcome Flush) RunSerial(CheckContext c, IReadOnlyList<IReadOnlyList<byte[]>> batches, int[] order)
    {
        using var s = c.OpenSession();
        var per = new CallOutcome[batches.Count];
        foreach (var b in order) per[b] = s.Process(batches[b], call: $"process(batch {b + 1})");
        return (per, s.Flush());
    }

    private static string? FirstDifference((CallOutcome[] PerBatch, CallOutcome Flush) expected, (CallOutcome[] PerBatch, CallOutcome Flush) actual)
    {
        for (var i = 0; i < expected.PerBatch.Length; i++)
            if (CallOutcome.Difference(expected.PerBatch[i], actual.PerBatch[i]) is { } d) return d;
        return CallOutcome.Difference(expected.Flush, actual.Flush);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var p in Permutations(rest)) yield return [items[i], .. p];
        }
    }
}
