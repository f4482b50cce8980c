namespace NativePlugins.Interop;

/// <summary>The syntax rules of interop/README.md rule P2 (plugin ids, interface ids, versions) for every .NET consumer:
/// the host validates libraries with them and the conformance runner reports against them. The implementation is
/// <see cref="NpDescriptorSyntax"/>, shared with the C# SDK's source generator; interop/vectors pins both.</summary>
public static class NpDescriptorRules
{
    /// <summary>Plugin ids and interface ids are at most this many bytes.</summary>
    public const int MaxPluginIdBytes = NpDescriptorSyntax.MaxIdBytes;

    /// <summary>A valid plugin id: reverse-DNS (<c>^[a-z0-9]+(\.[a-z0-9_-]+)+$</c>), at most 128 bytes.</summary>
    public static bool IsValidPluginId(string id) => NpDescriptorSyntax.IsPluginId(id);

    /// <summary>A valid interface id (<c>name/revision</c>), at most 128 bytes.</summary>
    public static bool IsValidInterfaceId(string id) => NpDescriptorSyntax.IsInterfaceId(id);

    /// <summary>A valid semantic version (semver.org 2.0.0).</summary>
    public static bool IsValidVersion(string version) => NpDescriptorSyntax.IsSemanticVersion(version);
}
