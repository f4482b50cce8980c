// Reads a NativeInterfaceContract from the layout manifest `nplug bindgen` writes (layout/<stem>.layout.g.json,
// interop/interfaces.md section 2), for tools that check a plugin against an interface without the generated C#
// (nplug check). JsonDocument, no reflection-based serializer: NativeAOT- and trimming-safe.
using System.Globalization;
using System.Text.Json;

namespace NativePlugins.Interop;

/// <summary>A bindgen layout manifest that cannot be read: names the file and what is wrong.</summary>
public sealed class InterfaceManifestException(string path, string reason) : Exception($"{path}: {reason}")
{
    /// <summary>The manifest file.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;
}

public sealed partial class NativeInterfaceContract
{
    /// <summary>The contract of the only interface of a bindgen layout manifest.</summary>
    /// <exception cref="InterfaceManifestException">The file is not a bindgen manifest, is malformed, or describes
    /// no interface or several (name one with <see cref="FromManifest(string, string)"/>).</exception>
    public static NativeInterfaceContract FromManifest(string jsonPath) => FromManifest(jsonPath, null);

    /// <summary>The contract of interface <paramref name="id"/> of a bindgen layout manifest (null: the only one).</summary>
    /// <exception cref="InterfaceManifestException">The file is unreadable or malformed, or lacks the interface.</exception>
    public static NativeInterfaceContract FromManifest(string jsonPath, string? id)
    {
        ArgumentException.ThrowIfNullOrEmpty(jsonPath);
        string text;
        try
        {
            text = File.ReadAllText(jsonPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InterfaceManifestException(jsonPath, $"cannot be read: {e.Message}");
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            return Read(doc.RootElement, jsonPath, id);
        }
        catch (JsonException e)
        {
            throw new InterfaceManifestException(jsonPath, $"is not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or OverflowException or ArgumentException)
        {
            throw new InterfaceManifestException(jsonPath, $"is not a bindgen layout manifest: {e.Message}");
        }
    }

    private static NativeInterfaceContract Read(JsonElement root, string path, string? id)
    {
        var interfaces = root.GetProperty("interfaces").EnumerateArray().ToList();
        var matching = interfaces.Where(i => id is null || i.GetProperty("id").GetString() == id).ToList();
        if (matching.Count == 0)
            throw new InterfaceManifestException(path, id is null ? "describes no interface" : $"does not describe {id}");
        if (matching.Count > 1)
            throw new InterfaceManifestException(path, $"describes {matching.Count} interfaces; name the one to read");
        var iface = matching[0];

        var structs = new Dictionary<string, NpStructLayout>(StringComparer.Ordinal);
        foreach (var s in root.GetProperty("structs").EnumerateArray())
        {
            var fields = s.GetProperty("fields").EnumerateArray()
                .Select(f => new NpFieldLayout(
                    f.GetProperty("name").GetString()!,
                    f.GetProperty("type").GetString()!,
                    f.GetProperty("canonical_type").GetString()!,
                    f.GetProperty("offset").GetUInt32(),
                    f.GetProperty("size").GetUInt32(),
                    f.GetProperty("since").GetUInt32()))
                .ToList();
            string name = s.GetProperty("name").GetString()!;
            structs[name] = new NpStructLayout(name, s.GetProperty("size").GetUInt32(), s.GetProperty("align").GetUInt32(),
                s.GetProperty("since").GetUInt32(), fields);
        }

        string interfaceId = iface.GetProperty("id").GetString()!;
        var layouts = iface.GetProperty("structs").EnumerateArray().Select(n =>
        {
            string name = n.GetString()!;
            return structs.TryGetValue(name, out var layout)
                ? layout
                : throw new InterfaceManifestException(path, $"{interfaceId} lists struct {name}, which the manifest does not describe");
        }).ToList();
        var functions = iface.GetProperty("functions").EnumerateArray().Select(f => new NativeInterfaceFunction(
            f.GetProperty("name").GetString()!,
            f.GetProperty("offset").GetUInt32(),
            f.GetProperty("required").GetBoolean(),
            f.GetProperty("since").GetUInt32(),
            Role(f.GetProperty("role").GetString(), path))).ToList();
        var contract = new NativeInterfaceContract(interfaceId, iface.GetProperty("newestMinor").GetUInt32(), layouts, functions);

        // The fingerprints are recomputed from the layout; the manifest's own are a check that it was not edited.
        foreach (var fp in iface.GetProperty("fingerprints").EnumerateObject())
        {
            uint minor = uint.Parse(fp.Name.AsSpan(fp.Name.IndexOf('.') + 1), CultureInfo.InvariantCulture);
            ulong value = ulong.Parse(fp.Value.GetString()!.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (minor > contract.NewestMinor || contract.Fingerprint(minor) != value)
                throw new InterfaceManifestException(path, $"{interfaceId} minor {minor}: the fingerprint {fp.Value.GetString()} does not match " +
                                                           "the layout the manifest describes (edited by hand? regenerate it with nplug bindgen)");
        }
        return contract;
    }

    private static NativeFunctionRole Role(string? role, string path) => role switch
    {
        "method" => NativeFunctionRole.Method,
        "create" => NativeFunctionRole.Create,
        "destroy" => NativeFunctionRole.Destroy,
        _ => throw new InterfaceManifestException(path, $"unknown function role `{role}`"),
    };
}
