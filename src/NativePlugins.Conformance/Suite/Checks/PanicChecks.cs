using System.Text;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>
/// Rule P7: a panic or exception comes back as NP_ERR_PANIC with its message, and the instance is poisoned: every
/// later call except destroy returns NP_ERR_STATE. A panic cannot be forced from outside, so the check feeds the
/// inputs that most often trip one (records that are not UTF-8, empty records, a failing reserve, the user's
/// documented --panic-record) and verifies poisoning wherever NP_ERR_PANIC comes back; without one it is skipped.
/// </summary>
internal static unsafe class PanicChecks
{
    public static IEnumerable<Check> All =>
    [
        new(new("panic.poisoning", "P7",
            "Wherever a call returns NP_ERR_PANIC it carries a message, and the instance is poisoned: process, flush and stats then return NP_ERR_STATE, destroy works.",
            CheckScope.Transform, "transform-a"), Poisoning),
    ];

    private static void Poisoning(CheckContext c)
    {
        var triggers = new List<(string What, IReadOnlyList<byte[]> Records, EmitterOptions? Emitter)>
        {
            ("a record with a 0xFF byte", [[0x61, 0xFF]], null),
            ("a record with an encoded surrogate", [[0xED, 0xA0, 0x80]], null),
            ("a truncated UTF-8 sequence", [[0xE2, 0x82]], null),
            ("empty records", [[], [], []], null),
            ("the sample into an emitter whose reserve fails", c.AllRecords, EmitterOptions.Tiny with { FailReserveAfter = 0 }),
        };
        if (c.Settings.PanicRecord is { } documented)
            triggers.Insert(0, ("the documented panic record", [Encoding.UTF8.GetBytes(documented)], null));

        var panics = 0;
        foreach (var (what, records, emitter) in triggers)
        {
            using var s = c.OpenSession();
            c.Phase($"process {what}");
            var o = s.Process(records, emitter, $"process({what})");
            if (o.Status != NpAbi.NP_ERR_PANIC)
            {
                if (what == "the documented panic record")
                    c.Problem($"{o.Describe()}: the documented panic record did not give NP_ERR_PANIC");
                continue;
            }
            panics++;
            if (o.Message == "(no message)") c.Problem($"{o.Call} returned NP_ERR_PANIC without the panic's message");
            ExpectPoisoned(c, s, what);
        }
        if (panics == 0)
            c.Skip("no call returned NP_ERR_PANIC (a panic cannot be forced from outside; pass --panic-record if the plugin documents a trigger)");
        c.Passed($"{panics} NP_ERR_PANIC(s), each followed by a poisoned instance");
    }

    private static void ExpectPoisoned(CheckContext c, TransformSession s, string after)
    {
        c.Phase($"calls on the instance poisoned by {after}");
        var process = s.Process(c.Batches[0], call: "process");
        if (process.Status != NpAbi.NP_ERR_STATE)
            c.Problem($"after NP_ERR_PANIC from {after}: {process.Describe()}, expected NP_ERR_STATE (the instance must be poisoned)");
        var flush = s.Flush();
        if (flush.Status != NpAbi.NP_ERR_STATE)
            c.Problem($"after NP_ERR_PANIC from {after}: {flush.Describe()}, expected NP_ERR_STATE (the instance must be poisoned)");
        if (s.Plugin.Api.HasStats)
        {
            var (status, _) = s.Stats();
            HostCallGuard.Drain();
            if (status != NpAbi.NP_ERR_STATE)
                c.Problem($"after NP_ERR_PANIC from {after}: stats returned {Status.Name(status)}, expected NP_ERR_STATE");
        }
        c.Phase($"destroy the instance poisoned by {after}");
    }
}
