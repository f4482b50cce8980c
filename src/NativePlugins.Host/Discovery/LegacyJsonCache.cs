using System.Globalization;
using System.Text.Json;

namespace NativePlugins.Hosting.Discovery;

/// <summary>Reads a registry cache of format 1 (versioned JSON, written before format 2 replaced it), so that an
/// existing cache is migrated, not scanned again: read once, then rewritten as format 2
/// (<see cref="RegistryCacheFormat"/>). Nothing writes this format any more.
/// <code>
/// {"format":1,"host_abi":[1,2],"entries":[{"path":..,"size":..,"mtime_ns":..,"ctime_ns":..,"inode":..,"device":..,
///   "sha256":null|"hex","policy":"hex","record":{ScanRecord}}]}
/// </code></summary>
internal static class LegacyJsonCache
{
    public const int Format = 1;

    /// <summary>The entries, or null when the bytes are not a valid format-1 cache for this host ABI; never throws.</summary>
    public static Dictionary<string, RegistryCache.Entry>? Read(ReadOnlyMemory<byte> bytes, AbiVersion hostAbi)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("format").GetInt32() != Format) return null;
            var abi = root.GetProperty("host_abi");
            if (abi.GetArrayLength() != 2 || abi[0].GetUInt32() != hostAbi.Major || abi[1].GetUInt32() != hostAbi.Minor)
                return null; // negotiated for another offered minor: the records would not be this host's
            var entries = new Dictionary<string, RegistryCache.Entry>(StringComparer.Ordinal);
            foreach (var e in root.GetProperty("entries").EnumerateArray())
            {
                var stamp = new FileStamp(e.GetProperty("size").GetInt64(), e.GetProperty("mtime_ns").GetInt64(),
                    e.GetProperty("ctime_ns").GetInt64(), ulong.Parse(e.GetProperty("inode").GetString()!, CultureInfo.InvariantCulture),
                    ulong.Parse(e.GetProperty("device").GetString()!, CultureInfo.InvariantCulture));
                var sha = e.GetProperty("sha256");
                var record = ScanRecord.Read(e.GetProperty("record"));
                if (record is null) return null;
                entries[e.GetProperty("path").GetString()!] =
                    new RegistryCache.Entry(stamp, sha.ValueKind == JsonValueKind.String ? sha.GetString() : null,
                        e.GetProperty("policy").GetString()!, record);
            }
            return entries;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException
                                      or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            return null; // corrupt: ignored, rebuilt by the next save
        }
    }
}
