using System.Text.Json;
using NativePlugins.Interop;
using NativePlugins.TestSupport;

namespace NativePlugins.Interop.Tests;

/// <summary>Paths into the repository the tests were built from (<see cref="RepoLayout"/>), and the committed layout
/// manifest.</summary>
internal static class RepoFiles
{
    public static string Root => RepoLayout.RepoRoot;

    public static string Path_(string relative) => System.IO.Path.Combine(Root, relative);

    public static string IncludeDir => Path_("interop/include");
    public static string ManifestPath => Path_("interop/layout/layout.g.json");
    public static string LayoutHeaderPath => Path_("interop/include/nplug/np_layout.g.h");
}

/// <summary>A layout manifest (layout.g.json) read with System.Text.Json, independent of the generated C# data.</summary>
internal sealed record ManifestFile(uint Major, uint Minor, IReadOnlyDictionary<string, ulong> Fingerprints, IReadOnlyList<NpStructLayout> Structs)
{
    public static ManifestFile Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var abi = root.GetProperty("abi");
        var fingerprints = root.GetProperty("fingerprints").EnumerateObject()
            .ToDictionary(p => p.Name, p => Convert.ToUInt64(p.Value.GetString()![2..], 16));
        var structs = root.GetProperty("structs").EnumerateArray().Select(s => new NpStructLayout(
            s.GetProperty("name").GetString()!,
            s.GetProperty("size").GetUInt32(),
            s.GetProperty("align").GetUInt32(),
            s.GetProperty("since").GetUInt32(),
            s.GetProperty("fields").EnumerateArray().Select(f => new NpFieldLayout(
                f.GetProperty("name").GetString()!,
                f.GetProperty("type").GetString()!,
                f.GetProperty("canonical_type").GetString()!,
                f.GetProperty("offset").GetUInt32(),
                f.GetProperty("size").GetUInt32(),
                f.GetProperty("since").GetUInt32())).ToList())).ToList();
        return new ManifestFile(abi.GetProperty("major").GetUInt32(), abi.GetProperty("minor").GetUInt32(), fingerprints, structs);
    }
}
