namespace NativePlugins.PluginSdk;

/// <summary>
/// Base class of an <c>np.transform/1</c> plugin: a stream of records in, a stream of records out.
/// One object is one instance: the host's <c>create</c> runs the constructor (with the parsed
/// <see cref="PluginConfig"/> and the <see cref="PluginHost"/> if the constructor asks for them),
/// <c>process</c> calls <see cref="Process"/> once per batch, <c>flush</c> calls <see cref="Flush"/>,
/// <c>destroy</c> calls <see cref="Dispose"/>.
/// <para>Errors: throw <see cref="PluginException"/> for an expected failure (bad config, a record you reject);
/// any other exception is caught at the boundary, returned as <c>NP_ERR_PANIC</c> with its message, and poisons
/// the instance (every later call except destroy returns <c>NP_ERR_STATE</c>). Exceptions never reach the host.</para>
/// <para>Counters (<c>stats</c>: records and bytes in and out) are kept by the SDK.</para>
/// </summary>
public abstract class TransformPlugin : IDisposable
{
    [ThreadStatic]
    private static PluginHost? t_creatingHost;

    /// <summary>Initializes the plugin; <see cref="Host"/> is available from here on.</summary>
    protected TransformPlugin() => Host = t_creatingHost ?? PluginHost.Detached;

    /// <summary>The host's services for this instance (logging, allocator, extensions).</summary>
    public PluginHost Host { get; }

    /// <summary>
    /// Processes one batch: read <paramref name="batch"/>, append results to <paramref name="output"/>. Called once
    /// per batch, never concurrently on one instance unless the plugin is <see cref="PluginThreading.ThreadSafe"/>.
    /// </summary>
    public abstract void Process(RecordBatch batch, Emitter output);

    /// <summary>
    /// End of stream: emit what you hold back, then return to the just-created state, so that a second flush emits
    /// nothing and the next <see cref="Process"/> starts a new stream (rule P8). The default holds nothing back.
    /// </summary>
    public virtual void Flush(Emitter output)
    {
    }

    /// <summary>Releases what the instance owns (host allocations, handles). Called once by destroy.</summary>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    /// <summary>Makes <paramref name="host"/> the <see cref="Host"/> of plugins constructed on this thread until the
    /// returned scope is disposed (the SDK's create wraps the constructor in it).</summary>
    internal static CreationScope BeginCreation(PluginHost host)
    {
        PluginHost? previous = t_creatingHost;
        t_creatingHost = host;
        return new CreationScope(previous);
    }

    internal readonly struct CreationScope(PluginHost? previous) : IDisposable
    {
        public void Dispose() => t_creatingHost = previous;
    }
}
