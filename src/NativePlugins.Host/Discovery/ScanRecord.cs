using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace NativePlugins.Hosting.Discovery;

/// <summary>One interface of a scanned plugin: id, vtable struct_size, the interface fingerprint it gave (0: none).</summary>
internal readonly record struct ScannedInterface(string Id, uint StructSize, ulong Fingerprint);

/// <summary>What a plugin descriptor said when its library was scanned.</summary>
internal sealed record ScannedPlugin(string Id, string Name, string Version, string Description, string Vendor,
    uint Threading, ImmutableArray<ScannedInterface> Interfaces);

/// <summary>
/// What discovery knows about one library file: either what it declares (sdk, flags, negotiated ABI, plugins) or why
/// it is bad (a typed reason and a one-line detail). The one shape shared by the scanner's report, the registry cache
/// and sidecar manifests, so that all three are read and written by the same code (<see cref="Read"/>,
/// <see cref="Write"/>).
/// </summary>
internal sealed record ScanRecord
{
    public bool Ok => Reason is null;
    public string Sdk { get; init; } = "";
    public ulong Flags { get; init; }
    public AbiVersion Agreed { get; init; }
    public AbiVersion LibraryAbi { get; init; }
    public ulong Fingerprint { get; init; }
    public ImmutableArray<ScannedPlugin> Plugins { get; init; } = [];

    /// <summary>Why the library is bad; null for a good one.</summary>
    public PluginLoadError? Reason { get; init; }
    public string Detail { get; init; } = "";

    public static ScanRecord Bad(PluginLoadError reason, string detail) => new() { Reason = reason, Detail = detail };

    /// <summary>Whether a refusal would be the same for any host and any moment, so that it may be cached: everything
    /// the library itself decided, not the state of the scanner (<see cref="PluginLoadError.ScanFailed"/>).</summary>
    public bool IsCacheable => Reason != PluginLoadError.ScanFailed;

    /// <summary>Reads a record: the scanner's form (<c>"ok":false</c> with the C host's <c>error</c>, <c>rule</c> and
    /// <c>message</c>) or this host's (<c>"reason"</c>, <c>"detail"</c>). Null when the element is not a valid record;
    /// never throws on bad input. <paramref name="path"/>: the file, to strip from the C host's message.</summary>
    public static ScanRecord? Read(JsonElement e, string? path = null)
    {
        try
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("ok", out var ok)) return null;
            if (!ok.GetBoolean())
            {
                if (e.TryGetProperty("reason", out var reason))
                    return Enum.TryParse<PluginLoadError>(reason.GetString(), out var r) && Enum.IsDefined(r)
                        ? Bad(r, e.GetProperty("detail").GetString() ?? "")
                        : null;
                var message = e.GetProperty("message").GetString() ?? "";
                if (path is not null && message.StartsWith(path + ": ", StringComparison.Ordinal))
                    message = message[(path.Length + 2)..];
                string? rule = e.TryGetProperty("rule", out var ru) && ru.ValueKind == JsonValueKind.String ? ru.GetString() : null;
                return Bad(CHostErrors.Reason(e.GetProperty("error").GetString() ?? "", rule), message);
            }
            var plugins = ImmutableArray.CreateBuilder<ScannedPlugin>();
            foreach (var p in e.GetProperty("plugins").EnumerateArray())
            {
                var interfaces = ImmutableArray.CreateBuilder<ScannedInterface>();
                foreach (var i in p.GetProperty("interfaces").EnumerateArray())
                    interfaces.Add(new ScannedInterface(Text(i, "id"), i.GetProperty("struct_size").GetUInt32(), U64(i, "fingerprint")));
                plugins.Add(new ScannedPlugin(Text(p, "id"), Text(p, "name"), Text(p, "version"), Text(p, "description"),
                    Text(p, "vendor"), p.GetProperty("threading").GetUInt32(), interfaces.DrainToImmutable()));
            }
            return new ScanRecord
            {
                Sdk = Text(e, "sdk"),
                Flags = U64(e, "flags"),
                Agreed = Version(e, "agreed"),
                LibraryAbi = Version(e, "library_abi"),
                Fingerprint = U64(e, "fingerprint"),
                Plugins = plugins.DrainToImmutable(),
            };
        }
        catch (Exception x) when (x is InvalidOperationException or KeyNotFoundException or FormatException
                                      or OverflowException or ArgumentException)
        {
            return null; // a missing or mistyped property: not a record
        }
    }

    /// <summary>Writes the record as a JSON object (this host's form).</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", Ok);
        if (Reason is { } reason)
        {
            w.WriteString("reason", reason.ToString());
            w.WriteString("detail", Detail);
            w.WriteEndObject();
            return;
        }
        w.WriteString("sdk", Sdk);
        w.WriteString("flags", Flags.ToString(CultureInfo.InvariantCulture));
        WriteVersion(w, "agreed", Agreed);
        WriteVersion(w, "library_abi", LibraryAbi);
        w.WriteString("fingerprint", Fingerprint.ToString(CultureInfo.InvariantCulture));
        w.WriteStartArray("plugins");
        foreach (var p in Plugins)
        {
            w.WriteStartObject();
            w.WriteString("id", p.Id);
            w.WriteString("name", p.Name);
            w.WriteString("version", p.Version);
            w.WriteString("description", p.Description);
            w.WriteString("vendor", p.Vendor);
            w.WriteNumber("threading", p.Threading);
            w.WriteStartArray("interfaces");
            foreach (var i in p.Interfaces)
            {
                w.WriteStartObject();
                w.WriteString("id", i.Id);
                w.WriteNumber("struct_size", i.StructSize);
                w.WriteString("fingerprint", i.Fingerprint.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Text(JsonElement e, string name) =>
        e.GetProperty(name).GetString() ?? throw new FormatException($"{name} is null");

    // 64-bit values travel as decimal strings: a JSON number loses them in many readers.
    private static ulong U64(JsonElement e, string name) => ulong.Parse(Text(e, name), NumberStyles.None, CultureInfo.InvariantCulture);

    private static AbiVersion Version(JsonElement e, string name)
    {
        var v = e.GetProperty(name);
        if (v.GetArrayLength() != 2) throw new FormatException($"{name} is not [major, minor]");
        return new AbiVersion(v[0].GetUInt32(), v[1].GetUInt32());
    }

    private static void WriteVersion(Utf8JsonWriter w, string name, AbiVersion v)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(v.Major);
        w.WriteNumberValue(v.Minor);
        w.WriteEndArray();
    }
}

/// <summary>The C host's error codes (<c>nph_error_t</c>, native/c-host/include/nplug_host/nph_diag.h) as this host's
/// typed reasons. The C host's codes are coarser: a descriptor it refuses is <see cref="PluginLoadError.InvalidPointer"/>
/// for a pointer check (rule H3) and <see cref="PluginLoadError.InvalidValue"/> for every other rule-P2 check; its
/// message names the exact field, and an in-process load (<c>nplug inspect</c>) gives this host's precise reason.</summary>
internal static class CHostErrors
{
    public static PluginLoadError Reason(string code, string? rule) => code switch
    {
        "NPH_E_OPEN" => PluginLoadError.LoadFailed,
        "NPH_E_NO_ENTRY" => PluginLoadError.MissingEntry,
        "NPH_E_VERSION" => PluginLoadError.VersionMismatch,
        "NPH_E_ENTRY" => PluginLoadError.EntryFailed,
        "NPH_E_LAYOUT" => PluginLoadError.LayoutMismatch,
        "NPH_E_INVALID" => rule == "H3" ? PluginLoadError.InvalidPointer : PluginLoadError.InvalidValue,
        "NPH_E_DUPLICATE" => PluginLoadError.DuplicateId,
        "NPH_E_INIT" => PluginLoadError.InitFailed,
        "NPH_E_PROTOCOL" => PluginLoadError.ProtocolViolation,
        _ => PluginLoadError.ScanFailed,
    };
}
