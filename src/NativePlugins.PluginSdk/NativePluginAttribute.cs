namespace NativePlugins.PluginSdk;

/// <summary>
/// Declares a class as a NativePlugins plugin. The SDK's source generator finds every class in the project that
/// carries this attribute and exports it through the library's <c>np_entry</c>: there is no list to maintain.
/// The class must be non-abstract and non-generic, with an accessible constructor whose parameters are any of
/// <see cref="PluginConfig"/> and <see cref="PluginHost"/>, and offer at least one interface: derive from
/// <see cref="TransformPlugin"/> (<c>np.transform/1</c>), implement any number of interfaces carrying
/// <see cref="NativeInterfaceAttribute"/> (the ones `nplug bindgen` generates from a header), or both. Each interface's
/// create constructs its own object of the class; destroy disposes it when it is <see cref="IDisposable"/>.
/// </summary>
/// <param name="id">Reverse-DNS plugin id, unique across everything loaded into one host
/// (<c>org.example.upper</c>; rule P2: <c>^[a-z0-9]+(\.[a-z0-9_-]+)+$</c>, at most 128 bytes).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NativePluginAttribute(string id) : Attribute
{
    /// <summary>The reverse-DNS plugin id.</summary>
    public string Id { get; } = id;

    /// <summary>Display name; the class name when not set.</summary>
    public string? Name { get; set; }

    /// <summary>Semantic version of the plugin (<c>1.2.0</c>).</summary>
    public string Version { get; set; } = "1.0.0";

    /// <summary>One-line description; may be empty.</summary>
    public string Description { get; set; } = "";

    /// <summary>Vendor; may be empty.</summary>
    public string Vendor { get; set; } = "";

    /// <summary>How hosts may call one instance (rule P9).</summary>
    public PluginThreading Threading { get; set; } = PluginThreading.Single;
}

/// <summary>The threading model a plugin declares (<c>np_plugin_descriptor_t.threading</c>).</summary>
public enum PluginThreading
{
    /// <summary><c>NP_THREADING_SINGLE</c>: the host serializes calls on each instance; different instances may run
    /// concurrently, so a plugin must not share unsynchronized static state.</summary>
    Single = 0,

    /// <summary><c>NP_THREADING_THREAD_SAFE</c>: calls on one instance may overlap; the plugin synchronizes.</summary>
    ThreadSafe = 1,
}
