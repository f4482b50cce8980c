using System.ComponentModel;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// One exported plugin as the source generator describes it: the attribute's metadata and the interfaces the class
/// offers (<c>np.transform/1</c> when it derives from <see cref="TransformPlugin"/>, then every [NativeInterface]
/// interface it implements), each with its generated exports. Used by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PluginDefinition
{
    public PluginDefinition(string id, string name, string version, string description, string vendor, uint threading,
        PluginInterface[] interfaces, ConfigSchema? configSchema = null)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.Length == 0)
            throw new ArgumentException($"{id}: a plugin offers at least one interface", nameof(interfaces));
        Id = id;
        Name = name;
        Version = version;
        Description = description;
        Vendor = vendor;
        Threading = threading;
        Interfaces = interfaces;
        ConfigSchema = configSchema;
    }

    public string Id { get; }
    public string Name { get; }
    public string Version { get; }
    public string Description { get; }
    public string Vendor { get; }
    /// <summary>NP_THREADING_SINGLE or NP_THREADING_THREAD_SAFE.</summary>
    public uint Threading { get; }
    /// <summary>The interfaces in descriptor order.</summary>
    public IReadOnlyList<PluginInterface> Interfaces { get; }
    /// <summary>The plugin's declared options, or null: then unknown keys are found after construction.</summary>
    public ConfigSchema? ConfigSchema { get; }
}

/// <summary>How the plugin library was entered: NativeAOT export or the hosted shim.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum LibraryMode
{
    /// <summary>A NativeAOT shared library: np_entry is the AOT export.</summary>
    Aot,

    /// <summary>A managed assembly behind the hosted shim.</summary>
    Hosted,
}
