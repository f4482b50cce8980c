using System.Diagnostics;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P8: create → process* → flush → … → destroy, in every order the spec allows.</summary>
internal static unsafe class LifecycleChecks
{
    private const string Group = "transform-a";
    public const int Repetitions = 10_000;

    public static IEnumerable<Check> All =>
    [
        new(new("lifecycle.basic", "P8",
            "create with the plugin's config (empty = defaults) succeeds; the sample stream is processed (NP_OK, or NP_ERR_INPUT for records it rejects) and flushed with NP_OK; destroy.",
            CheckScope.Transform, Group), Basic),
        new(new("lifecycle.repeat-create-destroy", "P8",
            $"create + destroy {Repetitions:N0} times in a row, every create NP_OK with an instance.",
            CheckScope.Transform, Group, TimeoutScale: 3), RepeatCreateDestroy),
        new(new("lifecycle.destroy-any-state", "P8",
            "destroy is valid right after create, in the middle of a stream, after a failed call, after flush; destroy(NULL) is a no-op.",
            CheckScope.Transform, Group), DestroyAnyState),
        new(new("lifecycle.flush-twice", "P8",
            "A second flush in a row returns NP_OK and emits nothing (after a stream, and on a fresh instance).",
            CheckScope.Transform, Group), FlushTwice),
        new(new("lifecycle.process-after-flush", "P8",
            "After flush the instance takes a new stream: the same stream again gives the same output as a fresh instance.",
            CheckScope.Transform, Group), ProcessAfterFlush),
    ];

    /// <summary>Statuses a process call may return for valid input: NP_OK, or a failure that names the input as the
    /// reason (NP_ERR_INPUT) or the plugin (NP_ERR_PLUGIN, NP_ERR_OUT_OF_MEMORY); NP_ERR_PANIC is rule P7's business.</summary>
    public static bool IsHandled(int status) =>
        status is NpAbi.NP_OK or NpAbi.NP_ERR_INPUT or NpAbi.NP_ERR_PLUGIN or NpAbi.NP_ERR_OUT_OF_MEMORY or NpAbi.NP_ERR_PANIC;

    private static void Basic(CheckContext c)
    {
        var plugin = c.Plugin;
        c.Phase($"create with {plugin.ConfigShown}");
        using var session = TransformSession.TryOpen(plugin, out var created);
        if (session is null)
        {
            c.Fail($"{created.Describe()}" + (plugin.Config.Length == 0
                ? " (np.transform/1: the empty config means defaults; if the plugin needs one, pass --config <id>=<config>)"
                : ""));
            return;
        }
        var records = 0;
        var rejected = 0;
        for (var i = 0; i < c.Batches.Count; i++)
        {
            c.Phase($"process(batch {i + 1})");
            var o = session.Process(c.Batches[i], call: $"process(batch {i + 1})");
            if (o.Status == NpAbi.NP_ERR_INPUT) { rejected++; c.Note(o.Describe()); }
            else if (!o.Ok) c.Problem($"{o.Describe()} (valid input: NP_OK or NP_ERR_INPUT expected)");
            records += o.OutputCount;
        }
        c.Phase("flush");
        var f = session.Flush();
        if (!f.Ok) c.Problem($"{f.Describe()} (expected NP_OK)");
        records += f.OutputCount;
        c.Phase("destroy");
        session.Destroy();
        if (rejected == c.Batches.Count)
            c.Note("every sample batch was rejected with NP_ERR_INPUT: the other checks see little output (pass --input with records the plugin accepts)");
        c.Passed($"{c.AllRecords.Count} records in {c.Batches.Count} batches -> {records} records out{(rejected > 0 ? $", {rejected} batch(es) rejected" : "")}");
    }

    private static void RepeatCreateDestroy(CheckContext c)
    {
        var plugin = c.Plugin;
        using var host = new TestHost("instance", plugin.Library.AgreedMinor);
        using var error = new ErrorBuffer();
        var config = System.Text.Encoding.UTF8.GetBytes(plugin.Config);
        var budget = Stopwatch.StartNew();
        var done = 0;
        c.Phase($"create + destroy x {Repetitions}");
        for (; done < Repetitions; done++)
        {
            if (budget.Elapsed > c.WorkBudget) break;
            np_instance_t* instance = null;
            var status = plugin.Api.Create(host.Table, config, &instance, error.Ptr);
            if (status != NpAbi.NP_OK || instance == null)
            {
                c.Fail($"create #{done + 1} returned {Status.Name(status)}{(status == NpAbi.NP_OK ? " without an instance" : $": {error.Describe()}")}");
                return;
            }
            plugin.Api.Destroy(instance);
        }
        if (done < Repetitions)
            c.Note($"stopped after {done:N0} of {Repetitions:N0} repetitions: the time budget of {c.WorkBudget.TotalSeconds:0.#} s ran out (create + destroy is slow, see timing.create-destroy)");
        c.Passed($"{done:N0} create + destroy in {budget.Elapsed.TotalMilliseconds:0} ms");
    }

    private static void DestroyAnyState(CheckContext c)
    {
        var plugin = c.Plugin;
        c.Phase("destroy right after create");
        c.OpenSession().Dispose();

        c.Phase("destroy in the middle of a stream (process without flush)");
        using (var s = c.OpenSession()) s.Process(c.Batches[0]);

        c.Phase("destroy after a call that failed (a record that is not UTF-8)");
        using (var s = c.OpenSession()) s.Process([[0xFF, 0xFE, 0x00, 0xC3]]);

        c.Phase("destroy after flush");
        using (var s = c.OpenSession())
        {
            s.Process(c.Batches[0]);
            s.Flush();
        }

        c.Phase("destroy(NULL)");
        plugin.Api.Destroy(null);
        c.Passed("destroy after create, mid-stream, after a failure, after flush, and destroy(NULL): no crash");
    }

    private static void FlushTwice(CheckContext c)
    {
        using (var s = c.OpenSession())
        {
            c.Phase("process the sample, flush, flush again");
            foreach (var b in c.Batches) s.Process(b);
            var first = s.Flush(call: "first flush");
            var second = s.Flush(call: "second flush");
            Expect(c, first, second, "after a stream");
        }
        using (var s = c.OpenSession())
        {
            c.Phase("flush twice on a fresh instance");
            var first = s.Flush(call: "first flush");
            var second = s.Flush(call: "second flush");
            Expect(c, first, second, "on a fresh instance");
        }
        c.Passed("the second flush in a row returns NP_OK and emits nothing");

        static void Expect(CheckContext c, CallOutcome first, CallOutcome second, string when)
        {
            if (!first.Ok) { c.Note($"{when}: {first.Describe()}"); return; }
            if (!second.Ok) c.Problem($"{when}: {second.Describe()} (expected NP_OK)");
            else if (second.OutputCount > 0)
                c.Problem($"{when}: the second flush emitted {second.OutputCount} record(s) ({RecordText.Summary(second.Output)}); a flush right after a flush must emit nothing");
        }
    }

    private static void ProcessAfterFlush(CheckContext c)
    {
        List<CallOutcome> first, again, fresh;
        using (var s = c.OpenSession())
        {
            c.Phase("first stream");
            first = s.RunStream(c.Batches);
            c.Phase("second stream on the same instance, after flush");
            again = s.RunStream(c.Batches);
        }
        using (var s = c.OpenSession())
        {
            c.Phase("the same stream on a fresh instance");
            fresh = s.RunStream(c.Batches);
        }
        if (CallOutcome.Difference(first, fresh) is { } nondeterministic)
            c.Skip($"two fresh instances give different output for the same stream ({nondeterministic}): the plugin is not deterministic, so a restarted stream cannot be compared");
        if (CallOutcome.Difference(first, again) is { } d)
            c.Problem($"the stream processed after flush differs from the same stream on a fresh instance: {d}");
        c.Passed($"a second stream after flush gives the fresh instance's output ({first.Sum(o => o.OutputCount)} records)");
    }
}
