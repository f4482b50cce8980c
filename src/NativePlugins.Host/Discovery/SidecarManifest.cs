using System.Security.Cryptography;
using System.Text.Json;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// A sidecar manifest, <c>&lt;library&gt;.nplug.json</c>, written at build time by <c>nplug manifest</c> (the Vulkan
/// loader's JSON manifests, applied per library): what the library declares, with the SHA-256 and size of the file it
/// describes. Discovery uses it instead of running the library when the hash still matches; a manifest of another
/// build (a stale one) is ignored and the library scanned. What a manifest promises is checked again when the
/// library is loaded (<see cref="DiscoveryPromise"/>), so a manifest that lies is refused then.
/// <code>{"nplug_manifest":1,"file":"libfoo.so","size":..,"sha256":"hex","library":{ScanRecord}}</code>
/// </summary>
internal static class SidecarManifest
{
    public const int Format = 1;

    public static string PathFor(string library) => library + DiscoveryOptions.ManifestSuffix;

    /// <summary>The lower-case hex SHA-256 of a file, or null when it cannot be read.</summary>
    public static string? Sha256(string file)
    {
        try
        {
            using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 1, FileOptions.SequentialScan);
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The record a manifest promises, when there is a manifest and it describes this very file
    /// (<paramref name="sha256"/>: the file's hash, computed on demand). <paramref name="stale"/>: a manifest exists but
    /// is unreadable or describes other bytes, or was negotiated for another offered ABI (its agreed version is not
    /// what this host would agree on with the library).</summary>
    public static ScanRecord? TryRead(string library, AbiVersion host, Func<string?> sha256, out bool stale)
    {
        stale = false;
        var path = PathFor(library);
        if (!File.Exists(path)) return null;
        stale = true;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nplug_manifest", out var f) ||
                !f.TryGetInt32(out var format) || format != Format)
                return null;
            if (root.GetProperty("sha256").GetString() is not { } promised || sha256() is not { } actual ||
                !string.Equals(promised, actual, StringComparison.OrdinalIgnoreCase))
                return null;
            var record = ScanRecord.Read(root.GetProperty("library"));
            if (record is not { Ok: true }) return null; // a manifest describes a good library only
            if (record.Agreed != new AbiVersion(host.Major, Math.Min(host.Minor, record.LibraryAbi.Minor))) return null;
            stale = false;
            return record;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
                                      or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes a manifest for a library with the record a scan produced, atomically (temporary file, rename).</summary>
    public static void Write(string library, ScanRecord record, string sha256, long size)
    {
        var path = PathFor(library);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("nplug_manifest", Format);
            w.WriteString("file", Path.GetFileName(library));
            w.WriteNumber("size", size);
            w.WriteString("sha256", sha256);
            w.WritePropertyName("library");
            record.Write(w);
            w.WriteEndObject();
        }
        File.Move(temp, path, overwrite: true);
    }
}
