using System.Text.Json;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// The contracts of <c>nplug check --interface &lt;manifest&gt;</c>: every interface a bindgen layout manifest
/// (layout/&lt;stem&gt;.layout.g.json) describes, read with <see cref="NativeInterfaceContract.FromManifest(string, string)"/>
/// (a header may declare several interfaces; checking a plugin against one of them only would silently skip the rest).
/// </summary>
public static class InterfaceManifests
{
    /// <exception cref="UsageException">the file does not exist, is not a bindgen manifest, or describes no interface;
    /// the message names the file and the reason.</exception>
    public static IReadOnlyList<NativeInterfaceContract> Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"check: --interface {path}: no such file");
        List<string> ids;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            ids = doc.RootElement.TryGetProperty("interfaces", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(i => i.TryGetProperty("id", out var id) ? id.GetString() : null).OfType<string>().ToList()
                : [];
        }
        catch (JsonException e)
        {
            throw new UsageException($"check: --interface {path}: not valid JSON: {e.Message}");
        }
        if (ids.Count == 0)
            throw new UsageException($"check: --interface {path}: describes no interface (not a layout manifest of nplug bindgen?)");
        try
        {
            return ids.Select(id => NativeInterfaceContract.FromManifest(path, id)).ToList();
        }
        catch (InterfaceManifestException e)
        {
            throw new UsageException($"check: --interface {e.Message}");
        }
    }
}
