using System.Text;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P6: bad input is an error, never a crash. NULL or malformed arguments give NP_ERR_INVALID_ARGUMENT, a
/// malformed config NP_ERR_CONFIG, records the plugin cannot handle NP_ERR_INPUT; empty batches, empty and very large
/// records are handled. (Whether failing calls come with a message is rule P5's, checked by errors.*.)</summary>
internal static unsafe class InputChecks
{
    private const string Group = "transform-a";
    public const int HugeRecordBytes = 16 << 20;

    public static IEnumerable<Check> All =>
    [
        new(new("input.empty-batch", "P6",
            "A batch of zero records (data set or NULL, offsets = {0}) returns NP_OK, and the instance goes on working.",
            CheckScope.Transform, Group), EmptyBatch),
        new(new("input.empty-records", "P6",
            "Empty records (alone and among others) are handled: NP_OK or a failure status such as NP_ERR_INPUT, no crash.",
            CheckScope.Transform, Group), EmptyRecords),
        new(new("input.huge-record", "P6",
            $"A {HugeRecordBytes >> 20} MiB record between two small ones is handled (NP_OK or NP_ERR_INPUT) within the timeout.",
            CheckScope.Transform, Group), HugeRecord),
        new(new("input.invalid-utf8", "P6",
            "Records that are not UTF-8 (stray continuation, overlong, surrogate, truncated, 0xFF) are handled; after NP_ERR_INPUT the instance stays usable.",
            CheckScope.Transform, Group), InvalidUtf8),
        new(new("input.malformed-config", "P6",
            "create refuses malformed configs (unknown key, no '=', garbage, invalid UTF-8) with NP_ERR_CONFIG (NP_ERR_INVALID_ARGUMENT also accepted for invalid UTF-8).",
            CheckScope.Transform, Group), MalformedConfig),
        new(new("input.null-arguments", "P6",
            "NULL host, out_instance, instance, batch, emitter or stats pointer give NP_ERR_INVALID_ARGUMENT; a config with NULL ptr and non-zero len NP_ERR_INVALID_ARGUMENT or NP_ERR_CONFIG.",
            CheckScope.Transform, Group), NullArguments),
        new(new("input.malformed-batch", "P6",
            "Batches that break their invariants (offsets NULL, offsets[0] != 0, decreasing offsets, bytes without data) give NP_ERR_INVALID_ARGUMENT.",
            CheckScope.Transform, Group), MalformedBatch),
    ];

    private static void RequireStillWorks(CheckContext c, TransformSession s, string after)
    {
        c.Phase($"process the sample after {after}");
        var o = s.Process(c.Batches[0], call: $"process(sample) after {after}");
        if (!LifecycleChecks.IsHandled(o.Status) || o.Status == NpAbi.NP_ERR_PANIC)
            c.Problem($"{o.Describe()}: the instance no longer works after {after}");
    }

    private static void EmptyBatch(CheckContext c)
    {
        using var s = c.OpenSession();
        c.Phase("process a batch of 0 records with a data pointer");
        var withData = s.ProcessBatch(s.Keep(NativeBatch.Raw([], [0], 0)), null, "process(0 records, data set)");
        c.Phase("process a batch of 0 records with data = NULL");
        var withoutData = s.ProcessBatch(s.Keep(NativeBatch.Raw(null, [0], 0)), null, "process(0 records, data NULL)");
        foreach (var o in new[] { withData, withoutData })
            if (!o.Ok) c.Problem($"{o.Describe()} (an empty batch must be accepted)");
        RequireStillWorks(c, s, "empty batches");
        c.Passed("empty batches return NP_OK");
    }

    private static void EmptyRecords(CheckContext c)
    {
        using var s = c.OpenSession();
        var cases = new (string What, byte[][] Records)[]
        {
            ("one empty record", [[]]),
            ("empty records among others", [[], Encoding.UTF8.GetBytes("a"), [], [], Encoding.UTF8.GetBytes("""{"id":1}"""), []]),
        };
        foreach (var (what, records) in cases)
        {
            c.Phase($"process {what}");
            var o = s.Process(records, call: $"process({what})");
            if (!LifecycleChecks.IsHandled(o.Status)) c.Problem($"{o.Describe()} (expected NP_OK or NP_ERR_INPUT)");
            if (o.Status == NpAbi.NP_ERR_PANIC) return;
        }
        c.Phase("flush");
        var f = s.Flush();
        if (!LifecycleChecks.IsHandled(f.Status)) c.Problem(f.Describe());
        c.Passed("empty records handled");
    }

    private static void HugeRecord(CheckContext c)
    {
        // A JSON object with one long ASCII string: text for text plugins, JSON for JSON plugins.
        var huge = new byte[HugeRecordBytes];
        var head = Encoding.UTF8.GetBytes("{\"id\":0,\"msg\":\"");
        var tail = Encoding.UTF8.GetBytes("\"}");
        head.CopyTo(huge, 0);
        for (var i = head.Length; i < huge.Length - tail.Length; i++) huge[i] = (byte)('a' + i % 26);
        tail.CopyTo(huge, huge.Length - tail.Length);
        var records = new[] { Encoding.UTF8.GetBytes("""{"id":1,"msg":"before"}"""), huge, Encoding.UTF8.GetBytes("""{"id":2,"msg":"after"}""") };

        using var s = c.OpenSession();
        // Roomy enough that the plugin needs no reserve: this check is about the size of the input; growing
        // output buffers is emitter.*'s business.
        var roomy = new EmitterOptions { DataCapacity = 2UL * HugeRecordBytes + (1 << 20), OffsetsCapacity = 1024 };
        c.Phase($"process a {HugeRecordBytes >> 20} MiB record");
        var o = s.Process(records, roomy, $"process({HugeRecordBytes >> 20} MiB record)");
        if (!LifecycleChecks.IsHandled(o.Status)) c.Problem($"{o.Describe()} (expected NP_OK or NP_ERR_INPUT)");
        if (o.Status == NpAbi.NP_ERR_PANIC) return;
        c.Phase("flush after the huge record");
        var f = s.Flush(roomy);
        if (!LifecycleChecks.IsHandled(f.Status)) c.Problem(f.Describe());
        c.Passed($"{o.Describe()}; flush {Status.Name(f.Status)}");
    }

    private static readonly (string What, byte[] Bytes)[] InvalidUtf8Records =
    [
        ("a 0xFF byte", [0x61, 0xFF, 0x62]),
        ("a stray continuation byte", [0x80, 0x61]),
        ("an overlong encoding of '/'", [0xC0, 0xAF]),
        ("an encoded surrogate", [0xED, 0xA0, 0x80]),
        ("a truncated 3-byte sequence", [0x61, 0xE2, 0x82]),
        ("a code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
    ];

    private static void InvalidUtf8(CheckContext c)
    {
        var rejected = 0;
        foreach (var (what, bytes) in InvalidUtf8Records)
        {
            using var s = c.OpenSession();
            c.Phase($"process a record with {what}");
            var o = s.Process([Encoding.UTF8.GetBytes("ok before"), bytes, Encoding.UTF8.GetBytes("ok after")], call: $"process(record with {what})");
            if (!LifecycleChecks.IsHandled(o.Status)) { c.Problem($"{o.Describe()} (expected NP_OK or NP_ERR_INPUT)"); continue; }
            if (o.Status is NpAbi.NP_ERR_INPUT or NpAbi.NP_ERR_PLUGIN)
            {
                rejected++;
                RequireStillWorks(c, s, $"{Status.Name(o.Status)} for a record with {what}");
            }
        }
        c.Passed(rejected == 0 ? "records are treated as opaque bytes (all accepted)" : $"{rejected} of {InvalidUtf8Records.Length} rejected; the instance stays usable");
    }

    /// <summary>Configs no key=value plugin can accept (the format the np.transform/1 samples share).</summary>
    public static readonly (string What, byte[] Config)[] MalformedConfigs =
    [
        ("an unknown key", Encoding.UTF8.GetBytes("nplug-check-unknown-key=1")),
        ("an entry without '='", Encoding.UTF8.GetBytes("nplug-check-no-equals-sign")),
        ("garbage", Encoding.UTF8.GetBytes("=;==;;=")),
        ("invalid UTF-8", [0x6B, 0x3D, 0xFF, 0xFE, 0xC0]),
    ];

    private static void MalformedConfig(CheckContext c)
    {
        var plugin = c.Plugin;
        foreach (var (what, config) in MalformedConfigs)
        {
            using var host = new TestHost("instance", plugin.Library.AgreedMinor);
            using var error = new ErrorBuffer();
            np_instance_t* instance = null;
            c.Phase($"create with {what}");
            var status = plugin.Api.Create(host.Table, config, &instance, error.Ptr);
            var shown = NativeText.Quote(config);
            if (status == NpAbi.NP_OK)
            {
                c.Problem($"create accepted {what} ({shown}) with NP_OK; a malformed config must give NP_ERR_CONFIG");
                if (instance != null) plugin.Api.Destroy(instance);
            }
            else if (status != NpAbi.NP_ERR_CONFIG && !(status == NpAbi.NP_ERR_INVALID_ARGUMENT && what == "invalid UTF-8"))
                c.Problem($"create with {what} ({shown}) returned {Status.Name(status)}, expected NP_ERR_CONFIG");
        }
        c.Passed($"{MalformedConfigs.Length} malformed configs refused with NP_ERR_CONFIG");
    }

    private static void NullArguments(CheckContext c)
    {
        var plugin = c.Plugin;
        var api = plugin.Api;
        void Expect(string call, int status)
        {
            if (status != NpAbi.NP_ERR_INVALID_ARGUMENT)
                c.Problem($"{call} returned {Status.Name(status)}, expected NP_ERR_INVALID_ARGUMENT");
        }

        using (var host = new TestHost("instance", plugin.Library.AgreedMinor))
        using (var error = new ErrorBuffer())
        {
            np_instance_t* instance = null;
            c.Phase("create(host = NULL)");
            var st = api.Create(null, plugin.Config, &instance, error.Ptr);
            Expect("create(host = NULL)", st);
            if (st == NpAbi.NP_OK && instance != null) api.Destroy(instance);

            c.Phase("create(out_instance = NULL)");
            Expect("create(out_instance = NULL)", api.Create(host.Table, plugin.Config, null, error.Ptr));

            c.Phase("create(config = {NULL, 5})");
            instance = null;
            st = api.CreateRaw(host.Table, new np_str_t { ptr = null, len = 5 }, &instance, error.Ptr);
            // The config is the one argument whose brokenness P6 names twice (NULL argument / malformed config).
            if (st is not (NpAbi.NP_ERR_INVALID_ARGUMENT or NpAbi.NP_ERR_CONFIG))
                c.Problem($"create(config.ptr = NULL, config.len = 5) returned {Status.Name(st)}, expected NP_ERR_INVALID_ARGUMENT (or NP_ERR_CONFIG)");
            if (st == NpAbi.NP_OK && instance != null) api.Destroy(instance);
        }

        using var s = c.OpenSession();
        using var batch = NativeBatch.From(c.Batches[0]);
        using var emitter = new TestEmitter();
        using var err = new ErrorBuffer();
        c.Phase("process(batch = NULL)");
        Expect("process(batch = NULL)", api.Process(s.Instance, null, emitter.Ptr, err.Ptr));
        c.Phase("process(emitter = NULL)");
        Expect("process(emitter = NULL)", api.Process(s.Instance, batch.Ptr, null, err.Ptr));
        c.Phase("process(instance = NULL)");
        Expect("process(instance = NULL)", api.Process(null, batch.Ptr, emitter.Ptr, err.Ptr));
        c.Phase("flush(emitter = NULL)");
        Expect("flush(emitter = NULL)", api.Flush(s.Instance, null, err.Ptr));
        c.Phase("flush(instance = NULL)");
        Expect("flush(instance = NULL)", api.Flush(null, emitter.Ptr, err.Ptr));
        if (api.HasStats)
        {
            var stats = new np_transform_stats_t { struct_size = (uint)sizeof(np_transform_stats_t) };
            c.Phase("stats(out_stats = NULL)");
            Expect("stats(out_stats = NULL)", api.Stats(s.Instance, null));
            c.Phase("stats(instance = NULL)");
            Expect("stats(instance = NULL)", api.Stats(null, &stats));
            HostCallGuard.Drain(); // rule P11 is leaf.stats's business
        }
        RequireStillWorks(c, s, "the NULL-argument calls");
        c.Passed("every NULL argument gives NP_ERR_INVALID_ARGUMENT");
    }

    private static void MalformedBatch(CheckContext c)
    {
        var data = Encoding.UTF8.GetBytes("abcdefgh");
        var cases = new (string What, Func<NativeBatch> Make)[]
        {
            ("2 records but offsets = NULL", () => NativeBatch.Raw(data, null, 2)),
            ("offsets[0] = 3", () => NativeBatch.Raw(data, [3, 5, 8], 2)),
            ("decreasing offsets {0, 6, 2}", () => NativeBatch.Raw(data, [0, 6, 2], 2)),
            ("8 bytes of records but data = NULL", () => NativeBatch.Raw(null, [0, 4, 8], 2)),
        };
        foreach (var (what, make) in cases)
        {
            using var s = c.OpenSession();
            c.Phase($"process a batch with {what}");
            var o = s.ProcessBatch(s.Keep(make()), null, $"process(batch with {what})");
            if (o.Status != NpAbi.NP_ERR_INVALID_ARGUMENT)
                c.Problem($"{o.Describe()}, expected NP_ERR_INVALID_ARGUMENT");
            if (o.Status != NpAbi.NP_ERR_PANIC) RequireStillWorks(c, s, $"a batch with {what}");
        }
        c.Passed($"{cases.Length} malformed batches refused with NP_ERR_INVALID_ARGUMENT");
    }
}
