using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>A plugin of the library under test that implements np.transform/1.</summary>
internal sealed class PluginUnderTest(LibraryUnderTest library, PluginSnapshot snapshot, TransformApi api, string config)
{
    public LibraryUnderTest Library { get; } = library;
    public PluginSnapshot Snapshot { get; } = snapshot;
    public TransformApi Api { get; } = api;
    /// <summary>The config every create of the checks uses (empty = defaults, or the --config given for this id).</summary>
    public string Config { get; } = config;
    public string Id => Snapshot.DisplayId;
    public bool IsThreadSafe => Snapshot.Threading == NpAbi.NP_THREADING_THREAD_SAFE;

    public string ConfigShown => Config.Length == 0 ? "the empty config" : $"config '{Config}'";
}

/// <summary>What one process or flush call did.</summary>
/// <param name="Call">"process(batch 2)", "flush", ...</param>
/// <param name="Status">The returned status.</param>
/// <param name="Output">The records appended to the emitter, or null when the emitter was left broken.</param>
/// <param name="EmitterProblems">Why <paramref name="Output"/> is null.</param>
/// <param name="Message">The error message, or "(no message)".</param>
internal sealed record CallOutcome(string Call, int Status, List<byte[]>? Output, List<string> EmitterProblems, string Message)
{
    public bool Ok => Status == NpAbi.NP_OK;
    public int OutputCount => Output?.Count ?? 0;

    public string Describe() =>
        Status == NpAbi.NP_OK ? $"{Call} returned NP_OK with {OutputCount} record(s)"
                              : $"{Call} returned {Harness.Status.Name(Status)}: {Message}";

    /// <summary>Compares two outcomes; null when equal, otherwise what differs.</summary>
    public static string? Difference(CallOutcome expected, CallOutcome actual)
    {
        if (expected.Status != actual.Status)
            return $"{actual.Call}: status {Harness.Status.Name(actual.Status)}, expected {Harness.Status.Name(expected.Status)}";
        if (expected.Output is null || actual.Output is null)
            return expected.Output is null && actual.Output is null ? null : $"{actual.Call}: emitter left broken";
        for (var i = 0; i < Math.Max(expected.Output.Count, actual.Output.Count); i++)
        {
            if (i >= actual.Output.Count) return $"{actual.Call}: {actual.Output.Count} record(s), expected {expected.Output.Count}";
            if (i >= expected.Output.Count) return $"{actual.Call}: {actual.Output.Count} record(s), expected {expected.Output.Count}; extra record {NativeText.Quote(actual.Output[i])}";
            if (!expected.Output[i].AsSpan().SequenceEqual(actual.Output[i]))
                return $"{actual.Call}: record {i} is {NativeText.Quote(actual.Output[i])}, expected {NativeText.Quote(expected.Output[i])}";
        }
        return null;
    }

    /// <summary>Compares two transcripts call by call; null when equal.</summary>
    public static string? Difference(IReadOnlyList<CallOutcome> expected, IReadOnlyList<CallOutcome> actual)
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            if (Difference(expected[i], actual[i]) is { } d) return d;
        return expected.Count == actual.Count ? null : $"{actual.Count} calls, expected {expected.Count}";
    }
}

/// <summary>
/// One instance of a plugin with its own watching host table. Batches, emitters and error buffers handed to the
/// plugin stay allocated until the session ends, so that only the check that means to (memory.inputs-not-kept)
/// takes input memory away while the instance lives.
/// </summary>
internal sealed unsafe class TransformSession : IDisposable
{
    private readonly List<IDisposable> _keep = [];
    private readonly bool _ownsHost;
    private int _batches;

    private TransformSession(PluginUnderTest plugin, TestHost host, bool ownsHost, np_instance_t* instance)
    {
        Plugin = plugin;
        Host = host;
        _ownsHost = ownsHost;
        Instance = instance;
    }

    public PluginUnderTest Plugin { get; }
    public TestHost Host { get; }
    public np_instance_t* Instance { get; private set; }

    /// <summary>Creates an instance (with the plugin's config unless <paramref name="config"/> is given). On failure
    /// returns null with the status and message.</summary>
    public static TransformSession? TryOpen(PluginUnderTest plugin, out CallOutcome outcome, string? config = null,
                                            TestHost? host = null)
    {
        var ownsHost = host is null;
        host ??= new TestHost("instance", plugin.Library.AgreedMinor);
        using var error = new ErrorBuffer();
        np_instance_t* instance = null;
        var status = plugin.Api.Create(host.Table, config ?? plugin.Config, &instance, error.Ptr);
        var shown = config is null ? plugin.ConfigShown : config.Length == 0 ? "the empty config" : $"config '{config}'";
        outcome = new CallOutcome($"create with {shown}", status, [], [], error.Describe());
        if (status == NpAbi.NP_OK && instance != null) return new TransformSession(plugin, host, ownsHost, instance);
        if (status == NpAbi.NP_OK)
            outcome = outcome with { Status = NpAbi.NP_ERR_PLUGIN, Message = "returned NP_OK but *out_instance is NULL" };
        if (ownsHost) host.Dispose();
        return null;
    }

    /// <summary>Processes <paramref name="records"/> as one batch into a fresh emitter.</summary>
    public CallOutcome Process(IReadOnlyList<byte[]> records, EmitterOptions? emitterOptions = null, string? call = null)
    {
        var batch = Keep(NativeBatch.From(records));
        return ProcessBatch(batch, emitterOptions, call ?? $"process(batch {Interlocked.Increment(ref _batches)})");
    }

    public CallOutcome ProcessBatch(NativeBatch batch, EmitterOptions? emitterOptions, string call)
    {
        var emitter = Keep(new TestEmitter(emitterOptions));
        var error = Keep(new ErrorBuffer());
        emitter.Arm();
        var status = Plugin.Api.Process(Instance, batch.Ptr, emitter.Ptr, error.Ptr);
        emitter.Close();
        return Outcome(call, status, emitter, error);
    }

    public CallOutcome Flush(EmitterOptions? emitterOptions = null, string call = "flush")
    {
        var emitter = Keep(new TestEmitter(emitterOptions));
        var error = Keep(new ErrorBuffer());
        emitter.Arm();
        var status = Plugin.Api.Flush(Instance, emitter.Ptr, error.Ptr);
        emitter.Close();
        return Outcome(call, status, emitter, error);
    }

    /// <summary>Processes every batch, then flushes: the transcript of one stream.</summary>
    public List<CallOutcome> RunStream(IReadOnlyList<IReadOnlyList<byte[]>> batches, EmitterOptions? emitterOptions = null)
    {
        var transcript = new List<CallOutcome>();
        for (var i = 0; i < batches.Count; i++)
            transcript.Add(Process(batches[i], emitterOptions, $"process(batch {i + 1})"));
        transcript.Add(Flush(emitterOptions));
        return transcript;
    }

    /// <summary>Fills a full-size stats struct (NP_ERR_UNSUPPORTED when the plugin has no stats).</summary>
    public (int Status, np_transform_stats_t Stats) Stats()
    {
        if (!Plugin.Api.HasStats) return (NpAbi.NP_ERR_UNSUPPORTED, default);
        var stats = new np_transform_stats_t { struct_size = (uint)sizeof(np_transform_stats_t) };
        var status = Plugin.Api.Stats(Instance, &stats);
        return (status, stats);
    }

    /// <summary>Keeps <paramref name="disposable"/> alive until the session ends. Thread-safe: the THREAD_SAFE check
    /// calls one session from several threads.</summary>
    public T Keep<T>(T disposable) where T : IDisposable
    {
        lock (_keep) _keep.Add(disposable);
        return disposable;
    }

    /// <summary>Destroys the instance now (a check that wants to look at the host table after destroy).</summary>
    public void Destroy()
    {
        if (Instance == null) return;
        Plugin.Api.Destroy(Instance);
        Instance = null;
    }

    public void Dispose()
    {
        Destroy();
        foreach (var d in _keep) d.Dispose();
        _keep.Clear();
        if (_ownsHost) Host.Dispose();
    }

    private static CallOutcome Outcome(string call, int status, TestEmitter emitter, ErrorBuffer error)
    {
        var output = emitter.TryRecords(out var problems);
        return new CallOutcome(call, status, output, problems, status == NpAbi.NP_OK ? "" : error.Describe());
    }
}

/// <summary>Records as text, for messages.</summary>
internal static class RecordText
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Summary(IReadOnlyList<byte[]>? records, int max = 3) =>
        records is null ? "(broken emitter)"
        : records.Count == 0 ? "no records"
        : string.Join(", ", records.Take(max).Select(r => NativeText.Quote(r, 40))) + (records.Count > max ? $", … ({records.Count} records)" : "");
}
