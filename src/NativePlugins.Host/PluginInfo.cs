using System.Collections.Immutable;

namespace NativePlugins.Hosting;

/// <summary>
/// What a plugin descriptor says about a plugin, validated (rule P2) and copied into managed memory, so it stays
/// valid after the library is unloaded.
/// </summary>
/// <param name="Id">Reverse-DNS id, unique across everything loaded into one host.</param>
/// <param name="Name">Display name.</param>
/// <param name="Version">Semantic version of the plugin.</param>
/// <param name="Description">Description; may be empty.</param>
/// <param name="Vendor">Vendor; may be empty.</param>
/// <param name="Interfaces">Interface ids the plugin implements, e.g. <c>np.transform/1</c>.</param>
/// <param name="Threading">Threading model.</param>
/// <param name="FilePath">Full path of the library file the plugin came from.</param>
/// <param name="AbiVersion">The ABI version the host and the library agreed on.</param>
public sealed record PluginInfo(
    string Id,
    string Name,
    string Version,
    string Description,
    string Vendor,
    ImmutableArray<string> Interfaces,
    PluginThreading Threading,
    string FilePath,
    AbiVersion AbiVersion)
{
    /// <summary>Per entry of <see cref="Interfaces"/> (same order): the vtable's struct_size, the interface
    /// fingerprint the library gave (ABI 1.2) and, for an interface the host registered, the minor it was validated
    /// at. What <c>nplug inspect</c> and <c>nplug list</c> show.</summary>
    public ImmutableArray<InterfaceDetail> InterfaceDetails { get; init; } = [];

    /// <summary>True when the plugin implements the interface with this id (e.g. <c>np.transform/1</c>).</summary>
    public bool Implements(string interfaceId) => Interfaces.Contains(interfaceId, StringComparer.Ordinal);

    /// <summary>True when the plugin implements <c>np.transform/1</c>.</summary>
    public bool IsTransform => Implements(Interop.NpAbi.NP_TRANSFORM_ID_STRING);
}
