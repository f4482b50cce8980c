using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>
/// Rule P10, the emitter protocol: only append; reserve before writing past capacity; re-read data/offsets after
/// reserve; on a failed reserve stop and return its status. The emitters start with room for nothing, grow by exactly
/// what is asked, move on every reserve and keep the released buffers to watch them (<see cref="TestEmitter"/>).
/// </summary>
internal static unsafe class EmitterChecks
{
    private const string Group = "transform-b";
    private static readonly byte[][] Prefill = ["nplug-check: record written before the call"u8.ToArray(), "and another"u8.ToArray()];

    public static IEnumerable<Check> All =>
    [
        new(new("emitter.capacity", "P10",
            "Into emitters with room for nothing (and two records already in them): nothing written past data_capacity or offsets_capacity, offsets consistent, earlier records untouched, reserve only from the calling thread.",
            CheckScope.Transform, Group), Capacity),
        new(new("emitter.reserve-moves", "P10",
            "When every reserve moves the buffers, the output equals the output into a roomy emitter and nothing is written into a released buffer (data/offsets re-read after reserve).",
            CheckScope.Transform, Group), ReserveMoves),
        new(new("emitter.reserve-failure", "P10",
            "When reserve fails (first, second, ... call), process and flush stop: they return that status (NP_ERR_OUT_OF_MEMORY) and call reserve no more.",
            CheckScope.Transform, Group), ReserveFailure),
    ];

    /// <summary>One call into a given emitter.</summary>
    private sealed record Call(string What, int Status, TestEmitter Emitter);

    /// <summary>Processes the sample (one call per batch) and flushes, each call into a fresh emitter made with
    /// <paramref name="options"/>. The emitters are disposed with the session <paramref name="s"/>.</summary>
    private static List<Call> Stream(CheckContext c, TransformSession s, IReadOnlyList<IReadOnlyList<byte[]>> batches,
                                     EmitterOptions options)
    {
        var calls = new List<Call>();
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = s.Keep(NativeBatch.From(batches[i]));
            var emitter = s.Keep(new TestEmitter(options));
            using var error = new ErrorBuffer();
            c.Phase($"process(batch {i + 1}) into a {Describe(options)} emitter");
            emitter.Arm();
            var status = s.Plugin.Api.Process(s.Instance, batch.Ptr, emitter.Ptr, error.Ptr);
            emitter.Close();
            calls.Add(new Call($"process(batch {i + 1})", status, emitter));
        }
        var last = s.Keep(new TestEmitter(options));
        using (var error = new ErrorBuffer())
        {
            c.Phase($"flush into a {Describe(options)} emitter");
            last.Arm();
            var status = s.Plugin.Api.Flush(s.Instance, last.Ptr, error.Ptr);
            last.Close();
            calls.Add(new Call("flush", status, last));
        }
        return calls;
    }

    private static string Describe(EmitterOptions o) =>
        o.FailReserveAfter is { } n ? $"failing-after-{n}-reserves" : o.DataCapacity == 0 ? "zero-capacity" : "roomy";

    private static void Capacity(CheckContext c)
    {
        using var s = c.OpenSession();
        var calls = Stream(c, s, c.Batches, EmitterOptions.Tiny with { Prefill = Prefill });
        var reserves = 0;
        foreach (var call in calls)
        {
            reserves += call.Emitter.ReserveCalls;
            foreach (var p in call.Emitter.CapacityProblems()) c.Problem($"{call.What}: {p}");
            foreach (var p in call.Emitter.ProtocolProblems) c.Problem($"{call.What}: {p}");
        }
        c.Passed($"{calls.Count} calls into zero-capacity emitters, {reserves} reserve calls, every write within capacity");
    }

    private static void ReserveMoves(CheckContext c)
    {
        List<(string What, int Status, List<byte[]>? Records)> Run(EmitterOptions options, out List<string> released)
        {
            using var s = c.OpenSession();
            var calls = Stream(c, s, c.Batches, options);
            released = calls.SelectMany(x => x.Emitter.ReleasedBufferWrites().Select(p => $"{x.What}: {p}")).ToList();
            return calls.Select(x => (x.What, x.Status, x.Emitter.LenientRecords())).ToList();
        }

        var roomy = Run(EmitterOptions.Roomy, out _);
        var moving = Run(EmitterOptions.Tiny, out var releasedWrites);
        c.AddProblems(releasedWrites);
        string? Difference(List<(string What, int Status, List<byte[]>? Records)> a, List<(string What, int Status, List<byte[]>? Records)> b)
        {
            for (var i = 0; i < a.Count; i++)
            {
                var d = CallOutcome.Difference(new CallOutcome(a[i].What, a[i].Status, a[i].Records, [], ""),
                                               new CallOutcome(b[i].What, b[i].Status, b[i].Records, [], ""));
                if (d is not null) return d;
            }
            return null;
        }
        if (Difference(roomy, moving) is { } diff)
        {
            var roomyAgain = Run(EmitterOptions.Roomy, out _);
            if (Difference(roomy, roomyAgain) is { } nondeterministic)
                c.Skip($"two fresh instances give different output ({nondeterministic}): not deterministic, output cannot be compared");
            c.Problem($"output through moving reserves differs from output into a roomy emitter: {diff} (data/offsets not re-read after reserve?)");
        }
        c.Passed($"{moving.Sum(x => x.Records?.Count ?? 0)} records through buffers that move on every reserve: same output, released buffers untouched");
    }

    private static void ReserveFailure(CheckContext c)
    {
        // How many reserves the sample needs in one call with zero capacity, to fail each in turn.
        int needed;
        using (var probe = c.OpenSession())
        {
            var calls = Stream(c, probe, [c.AllRecords], EmitterOptions.Tiny);
            needed = calls[0].Emitter.ReserveCalls;
        }
        var failAt = new[] { 0, 1, 2, needed / 2, needed - 1 }.Where(n => n >= 0 && n < needed).Distinct().ToList();
        var failures = 0;
        foreach (var n in failAt)
        {
            using var s = c.OpenSession();
            var calls = Stream(c, s, [c.AllRecords], EmitterOptions.Tiny with { FailReserveAfter = n });
            Expect(c, calls[0], $"reserve #{n + 1} failing", ref failures);
        }
        // flush: a held-back summary needs room too.
        using (var s = c.OpenSession())
        {
            using var batch = NativeBatch.From(c.AllRecords);
            using var roomy = new TestEmitter();
            using var error = new ErrorBuffer();
            c.Phase("process the sample into a roomy emitter");
            s.Plugin.Api.Process(s.Instance, batch.Ptr, roomy.Ptr, error.Ptr);
            var failing = s.Keep(new TestEmitter(EmitterOptions.Tiny with { FailReserveAfter = 0 }));
            error.Reset();
            c.Phase("flush into an emitter whose first reserve fails");
            failing.Arm();
            var status = s.Plugin.Api.Flush(s.Instance, failing.Ptr, error.Ptr);
            failing.Close();
            Expect(c, new Call("flush", status, failing), "reserve #1 failing", ref failures);
        }
        if (failures == 0)
            c.Skip("the plugin never called reserve (it emitted nothing for the sample), so no reserve could fail");
        c.Passed($"{failures} failed reserve(s): each call stopped and returned NP_ERR_OUT_OF_MEMORY");
    }

    private static void Expect(CheckContext c, Call call, string when, ref int failures)
    {
        if (!call.Emitter.AnyReserveFailed) return;
        failures++;
        if (call.Status != NpAbi.NP_ERR_OUT_OF_MEMORY)
            c.Problem($"{call.What} with {when}: returned {Status.Name(call.Status)}; it must stop and return the failed reserve's status (NP_ERR_OUT_OF_MEMORY)");
        if (call.Emitter.ReservesAfterFailure > 0)
            c.Problem($"{call.What} with {when}: called reserve {call.Emitter.ReservesAfterFailure} more time(s) after it had failed (it must stop)");
    }
}
