using System.Text.RegularExpressions;

namespace NativePlugins.Interop;

/// <summary>The syntax rules of interop/README.md rule P2 (plugin ids, interface ids, versions), in one place for every
/// .NET consumer: the host validates libraries with them and the conformance runner reports against them. Anchored
/// with \A..\z, not ^..$, because .NET's <c>$</c> also matches before a trailing newline.</summary>
public static partial class NpDescriptorRules
{
    /// <summary>Plugin ids are at most this many bytes.</summary>
    public const int MaxPluginIdBytes = 128;

    /// <summary>Reverse-DNS plugin id: <c>^[a-z0-9]+(\.[a-z0-9_-]+)+$</c>.</summary>
    [GeneratedRegex(@"\A[a-z0-9]+(\.[a-z0-9_-]+)+\z", RegexOptions.CultureInvariant)]
    public static partial Regex PluginId();

    /// <summary>Interface id <c>name/revision</c>: <c>^[a-z0-9]+(\.[a-z0-9_-]+)*/[1-9][0-9]*$</c>.</summary>
    [GeneratedRegex(@"\A[a-z0-9]+(\.[a-z0-9_-]+)*/[1-9][0-9]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex InterfaceId();

    /// <summary>Semantic version 2.0.0 (semver.org's regex with ASCII digit classes).</summary>
    [GeneratedRegex(
        @"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)" +
        @"(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?" +
        @"(\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?\z", RegexOptions.CultureInvariant)]
    public static partial Regex SemanticVersion();

    /// <summary>A valid plugin id: reverse-DNS and at most <see cref="MaxPluginIdBytes"/> bytes.</summary>
    public static bool IsValidPluginId(string id) =>
        id.Length <= MaxPluginIdBytes && PluginId().IsMatch(id); // the pattern is ASCII only, so chars == bytes

    /// <summary>A valid interface id (<c>name/revision</c>).</summary>
    public static bool IsValidInterfaceId(string id) => InterfaceId().IsMatch(id);

    /// <summary>A valid semantic version.</summary>
    public static bool IsValidVersion(string version) => SemanticVersion().IsMatch(version);
}
