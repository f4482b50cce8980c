using System.Text.RegularExpressions;

namespace NativePlugins.Hosting.Loading;

/// <summary>The syntax rules of rule P2, as regular expressions from the spec (anchored with \A..\z, not ^..$,
/// because .NET's <c>$</c> also matches before a trailing newline).</summary>
internal static partial class DescriptorRules
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

    public static bool IsValidPluginId(string id) =>
        id.Length <= MaxPluginIdBytes && PluginId().IsMatch(id); // ASCII only, so chars == bytes

    public static bool IsValidInterfaceId(string id) => InterfaceId().IsMatch(id);

    public static bool IsValidVersion(string version) => SemanticVersion().IsMatch(version);
}
