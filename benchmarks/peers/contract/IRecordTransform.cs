namespace NativePlugins.Benchmarks.PeerContract;

/// <summary>
/// One stage of a record pipeline as a managed plugin implements it: the managed counterpart of an np.transform/1
/// instance. Not thread-safe: one caller at a time, like an NP_THREADING_SINGLE instance.
/// </summary>
public interface IRecordTransform
{
    /// <summary>Processes one batch. The returned records belong to the transform and stay valid until its next
    /// <see cref="Process"/> call (the plugin reuses one output, as a host reuses its emitter buffers).</summary>
    ManagedRecords Process(ManagedRecords input);

    /// <summary>Records and bytes this transform has received since it was created (np_transform_stats_t's
    /// records_in and bytes_in).</summary>
    (ulong Records, ulong Bytes) Received { get; }
}

/// <summary>
/// The entry type a managed plugin assembly exports: a public class with a parameterless constructor implementing
/// this interface (the host finds it by reflection, as McMaster.NETCore.Plugins' samples do).
/// </summary>
public interface IRecordTransformPlugin
{
    /// <summary>The stage ids this plugin can create (the benchmark plugin ids, org.nativeplugins.bench.*).</summary>
    IReadOnlyList<string> Stages { get; }

    /// <summary>Creates a stage; <paramref name="config"/> is the same "key=value" text np.transform/1 gets.
    /// Throws <see cref="ArgumentException"/> naming the stage and the reason for an unknown stage or bad config.</summary>
    IRecordTransform Create(string stage, string config);
}
