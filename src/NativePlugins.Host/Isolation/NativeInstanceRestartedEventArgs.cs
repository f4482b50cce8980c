namespace NativePlugins.Hosting;

/// <summary>An isolated instance of a host's own interface (a <c>nplug bindgen</c> wrapper) was recreated after a
/// fault (<see cref="NativeInstance.Restarted"/>).</summary>
/// <param name="instance">The instance (same object; its plugin state started over).</param>
/// <param name="restart">How many restarts this instance has had (1 for the first).</param>
/// <param name="consecutive">Restarts since its last successful call (what <see cref="RestartPolicy"/> limits).</param>
/// <param name="cause">The fault that made the restart necessary.</param>
/// <param name="backoff">How long the restart waited first.</param>
public sealed class NativeInstanceRestartedEventArgs(NativeInstance instance, int restart, int consecutive,
    PluginCallException cause, TimeSpan backoff)
    : InstanceRestartedEventArgs(instance.Plugin, restart, consecutive, cause, backoff)
{
    /// <summary>The instance (same object; its plugin state started over).</summary>
    public NativeInstance Instance { get; } = instance;
}
