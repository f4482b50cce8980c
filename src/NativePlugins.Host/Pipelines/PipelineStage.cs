namespace NativePlugins.Hosting;

/// <summary>One stage of a pipeline definition: a plugin id and its config string (<c>key=value;key=value</c>).</summary>
public sealed record PipelineStage(string PluginId, string Config = "")
{
    /// <inheritdoc />
    public override string ToString() => Config.Length == 0 ? PluginId : $"{PluginId} [{Config}]";
}

/// <summary>Per-stage counters of a <see cref="Pipeline"/>, measured by the host (not the plugin's stats).</summary>
public sealed class PipelineStageStats
{
    internal PipelineStageStats(TransformInstance stage) => Stage = stage;

    /// <summary>The instance running this stage (after a hot reload, the instance of the new version).</summary>
    public TransformInstance Stage { get; internal set; }

    /// <summary>Records handed to the stage.</summary>
    public long RecordsIn { get; internal set; }

    /// <summary>Records the stage emitted.</summary>
    public long RecordsOut { get; internal set; }

    /// <summary>Bytes handed to the stage.</summary>
    public long BytesIn { get; internal set; }

    /// <summary>Bytes the stage emitted.</summary>
    public long BytesOut { get; internal set; }

    /// <summary>process + flush calls made.</summary>
    public long Calls { get; internal set; }

    /// <summary>Wall time spent inside the stage's process and flush calls; zero unless the pipeline was created
    /// with <c>measureTime: true</c>.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks((long)(ElapsedTimestamp * (TimeSpan.TicksPerSecond / (double)System.Diagnostics.Stopwatch.Frequency)));

    internal long ElapsedTimestamp { get; set; }
}
