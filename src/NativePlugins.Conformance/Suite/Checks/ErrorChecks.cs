using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P5: every failing status comes with a non-empty UTF-8 message when the caller passed a buffer; no
/// write past capacity; success leaves the buffer untouched. Buffers are guard-filled (<see cref="ErrorBuffer"/>).</summary>
internal static unsafe class ErrorChecks
{
    private const string Group = "transform-a";
    private static readonly ulong[] SmallCapacities = [0, 1, 2, 3, 5, 8, 13];

    public static IEnumerable<Check> All =>
    [
        new(new("errors.message-on-failure", "P5",
            $"Every provoked failure (malformed config, non-UTF-8 record, failing reserve) writes a non-empty UTF-8 message into a {ErrorBuffer.DefaultCapacity}-byte buffer and sets len.",
            CheckScope.Transform, Group), MessageOnFailure),
        new(new("errors.capacity", "P5",
            $"With capacities {string.Join(", ", SmallCapacities)} the message is cut at a UTF-8 character boundary, len <= capacity, and nothing is written past capacity.",
            CheckScope.Transform, Group), Capacity),
        new(new("errors.untouched-on-success", "P5",
            "Successful init, create, process and flush leave a guard-filled error buffer exactly as it was (message bytes, len, code).",
            CheckScope.Transform, Group), UntouchedOnSuccess),
        new(new("errors.null-error-buffer", "P5",
            "Failing calls with error = NULL (no message wanted) return their status without crashing.",
            CheckScope.Transform, Group), NullErrorBuffer),
    ];

    private static void MessageOnFailure(CheckContext c)
    {
        var failures = 0;
        Provocations.Run(c, () => new ErrorBuffer(), (r, buffer) =>
        {
            if (r.Status == NpAbi.NP_OK) return;
            failures++;
            foreach (var p in buffer!.ProblemsAfterFailure()) c.Problem($"{r.What} -> {Status.Name(r.Status)}: {p}");
        });
        if (failures == 0) c.Skip("no provoked call failed (the plugin accepts every config and record, and never needs reserve)");
        c.Passed($"{failures} failing call(s), each with a UTF-8 message");
    }

    private static void Capacity(CheckContext c)
    {
        var failures = 0;
        foreach (var capacity in SmallCapacities)
        {
            Provocations.Run(c, () => new ErrorBuffer(capacity), (r, buffer) =>
            {
                if (r.Status == NpAbi.NP_OK) return;
                failures++;
                foreach (var p in buffer!.ProblemsAfterFailure(requireMessage: false))
                    c.Problem($"capacity {capacity}: {r.What} -> {Status.Name(r.Status)}: {p}");
            });
        }
        if (failures == 0) c.Skip("no provoked call failed, so no message was written");
        c.Passed($"{failures} failing calls with capacities {string.Join("/", SmallCapacities)}: truncated within capacity");
    }

    private static void UntouchedOnSuccess(CheckContext c)
    {
        var plugin = c.Plugin;
        var successes = new List<string>();
        void Expect(string call, int status, ErrorBuffer buffer)
        {
            if (status != NpAbi.NP_OK) return;
            successes.Add(call);
            var changes = buffer.ChangesAfterSuccess();
            if (changes.Count > 0) c.Problem($"{call} returned NP_OK but changed the error buffer: {string.Join(", ", changes)}");
        }

        var library = c.InitializedLibrary.Library;
        using (var buffer = new ErrorBuffer())
        {
            // One more init while initialised (the library ref-counts, rule P3), undone at once.
            c.Phase("init (a second load)");
            var host = new TestHost("library", plugin.Library.AgreedMinor);
            var status = library->init(host.Table, buffer.Ptr);
            Expect("init", status, buffer);
            if (status == NpAbi.NP_OK) library->deinit();
        }

        using var s = c.OpenSession();
        using (var buffer = new ErrorBuffer())
        {
            np_instance_t* instance = null;
            c.Phase("create");
            var status = plugin.Api.Create(s.Host.Table, plugin.Config, &instance, buffer.Ptr);
            Expect("create", status, buffer);
            if (status == NpAbi.NP_OK && instance != null) plugin.Api.Destroy(instance);
        }
        for (var i = 0; i < c.Batches.Count; i++)
        {
            using var batch = NativeBatch.From(c.Batches[i]);
            using var emitter = new TestEmitter();
            using var buffer = new ErrorBuffer();
            c.Phase($"process(batch {i + 1})");
            Expect($"process(batch {i + 1})", plugin.Api.Process(s.Instance, batch.Ptr, emitter.Ptr, buffer.Ptr), buffer);
        }
        using (var emitter = new TestEmitter())
        using (var buffer = new ErrorBuffer())
        {
            c.Phase("flush");
            Expect("flush", plugin.Api.Flush(s.Instance, emitter.Ptr, buffer.Ptr), buffer);
        }
        if (successes.Count == 0) c.Skip("no call succeeded");
        c.Passed($"{string.Join(", ", successes)}: buffer untouched");
    }

    private static void NullErrorBuffer(CheckContext c)
    {
        var failures = Provocations.Run(c, () => null, (_, _) => { }).Where(r => r.Status != NpAbi.NP_OK).ToList();
        if (failures.Count == 0) c.Skip("no provoked call failed");
        c.Passed($"{failures.Count} failing call(s) with error = NULL: {string.Join("; ", failures.Select(f => $"{f.What} -> {Status.Name(f.Status)}"))}");
    }
}
