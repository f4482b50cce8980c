namespace NativePlugins.Hosting;

/// <summary>A plugin's threading model (<c>np_plugin_descriptor_t.threading</c>, interop/README.md section 4).</summary>
public enum PluginThreading : uint
{
    /// <summary><c>NP_THREADING_SINGLE</c>: the host serializes the calls on each instance (rule H4).</summary>
    Single = 0,

    /// <summary><c>NP_THREADING_THREAD_SAFE</c>: calls on one instance may overlap; the plugin synchronizes.</summary>
    ThreadSafe = 1,
}
