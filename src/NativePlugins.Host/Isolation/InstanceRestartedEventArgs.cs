namespace NativePlugins.Hosting;

/// <summary>What every restart of an isolated instance reports, whatever its interface: the base of
/// <see cref="PluginRestartedEventArgs"/> (<see cref="TransformInstance.Restarted"/>) and
/// <see cref="NativeInstanceRestartedEventArgs"/> (<see cref="NativeInstance.Restarted"/>), so that one handler taking
/// this type can listen to both.</summary>
/// <param name="plugin">The plugin the instance belongs to.</param>
/// <param name="restart">How many restarts this instance has had (1 for the first).</param>
/// <param name="consecutive">Restarts since its last successful call (what <see cref="RestartPolicy"/> limits).</param>
/// <param name="cause">The fault that made the restart necessary.</param>
/// <param name="backoff">How long the restart waited first.</param>
public abstract class InstanceRestartedEventArgs(PluginInfo plugin, int restart, int consecutive,
    PluginCallException cause, TimeSpan backoff) : EventArgs
{
    /// <summary>The plugin the instance belongs to.</summary>
    public PluginInfo Plugin { get; } = plugin;

    /// <summary>How many restarts this instance has had (1 for the first).</summary>
    public int Restart { get; } = restart;

    /// <summary>Restarts since its last successful call (what <see cref="RestartPolicy"/> limits).</summary>
    public int Consecutive { get; } = consecutive;

    /// <summary>The fault that made the restart necessary.</summary>
    public PluginCallException Cause { get; } = cause;

    /// <summary>How long the restart waited first.</summary>
    public TimeSpan Backoff { get; } = backoff;
}
