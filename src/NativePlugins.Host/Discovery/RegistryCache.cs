using System.Globalization;
using System.Text.Json;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// The registry cache: what discovery learned about each library file, keyed by its full path and valid while the
/// file's <see cref="FileStamp"/> is unchanged (and, on demand, its SHA-256). One versioned JSON file:
/// <code>
/// {"format":1,"host_abi":[1,2],"entries":[{"path":..,"size":..,"mtime_ns":..,"ctime_ns":..,"inode":..,"device":..,
///   "sha256":null|"hex","policy":"hex","record":{ScanRecord}}]}
/// </code>
/// Written atomically (a temporary file in the same directory, then rename), so a reader sees the old or the new
/// file, never half of one; two processes writing at once each leave a complete file (the last rename wins, and a
/// lost entry is only scanned again). A file that is missing, unreadable, corrupt, of another format or written for
/// another offered ABI minor is ignored and rebuilt: reading never throws. Not thread-safe: one discovery owns it.
/// </summary>
internal sealed class RegistryCache
{
    public const int Format = 1;

    /// <summary><paramref name="Policy"/>: the load policy under which the file passed the checks before dlopen (a hash
    /// of <see cref="LoadPolicy"/>'s text); a host with another policy checks the file again.</summary>
    public sealed record Entry(FileStamp Stamp, string? Sha256, string Policy, ScanRecord Record);

    private readonly Dictionary<string, Entry> _entries;
    private readonly string _path;
    private readonly AbiVersion _hostAbi;

    private RegistryCache(string path, AbiVersion hostAbi, Dictionary<string, Entry> entries)
    {
        _path = path;
        _hostAbi = hostAbi;
        _entries = entries;
    }

    /// <summary>True when the file existed but could not be used (corrupt, foreign format): it will be rewritten.</summary>
    public bool WasDiscarded { get; private init; }

    public bool Changed { get; private set; }

    public int Count => _entries.Count;

    /// <summary>Reads the cache at <paramref name="path"/>; an empty cache when there is none or it cannot be used.</summary>
    public static RegistryCache Open(string path, AbiVersion hostAbi)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new RegistryCache(path, hostAbi, new(StringComparer.Ordinal));
        }
        var entries = Parse(bytes, hostAbi);
        return entries is null
            ? new RegistryCache(path, hostAbi, new(StringComparer.Ordinal)) { WasDiscarded = true, Changed = true }
            : new RegistryCache(path, hostAbi, entries);
    }

    /// <summary>The entry of a file whose stamp still matches; null for a miss (an entry of a changed file is stale).</summary>
    public Entry? Find(string file, FileStamp stamp) =>
        _entries.TryGetValue(file, out var e) && e.Stamp == stamp ? e : null;

    public void Put(string file, Entry entry)
    {
        _entries[file] = entry;
        Changed = true;
    }

    /// <summary>Forgets the entries of files under <paramref name="directories"/> that were not found by this scan
    /// (deleted or renamed): the cache holds what the scanned directories contain. When the cache is about to be
    /// rewritten anyway, entries of files that no longer exist anywhere go too, so it does not grow without bound.</summary>
    public void Prune(IReadOnlyCollection<string> directories, IReadOnlySet<string> found)
    {
        foreach (var file in _entries.Keys.ToList())
        {
            if (found.Contains(file)) continue;
            if (Changed && !File.Exists(file))
            {
                _entries.Remove(file);
                continue;
            }
            foreach (var dir in directories)
                if (file.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    _entries.Remove(file);
                    Changed = true;
                    break;
                }
        }
    }

    /// <summary>Writes the cache when it changed: temporary file, then rename over the old one. A cache that cannot be
    /// written (read-only home, full disk) only costs the next discovery a scan: the error is returned, not thrown.</summary>
    public string? Save()
    {
        if (!Changed) return null;
        string? temp = null;
        try
        {
            var dir = Path.GetDirectoryName(_path)!;
            Directory.CreateDirectory(dir);
            temp = Path.Combine(dir, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteNumber("format", Format);
                w.WriteStartArray("host_abi");
                w.WriteNumberValue(_hostAbi.Major);
                w.WriteNumberValue(_hostAbi.Minor);
                w.WriteEndArray();
                w.WriteStartArray("entries");
                foreach (var (file, e) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("path", file);
                    w.WriteNumber("size", e.Stamp.Size);
                    w.WriteNumber("mtime_ns", e.Stamp.MtimeNs);
                    w.WriteNumber("ctime_ns", e.Stamp.CtimeNs);
                    w.WriteString("inode", e.Stamp.Inode.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("device", e.Stamp.Device.ToString(CultureInfo.InvariantCulture));
                    if (e.Sha256 is null) w.WriteNull("sha256");
                    else w.WriteString("sha256", e.Sha256);
                    w.WriteString("policy", e.Policy);
                    w.WritePropertyName("record");
                    e.Record.Write(w);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, _path, overwrite: true); // rename(2): atomic within the directory
            temp = null;
            Changed = false;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the registry cache {_path}: {e.Message}";
        }
        finally
        {
            if (temp is not null)
                try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static Dictionary<string, Entry>? Parse(byte[] bytes, AbiVersion hostAbi)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("format").GetInt32() != Format) return null;
            var abi = root.GetProperty("host_abi");
            if (abi.GetArrayLength() != 2 || abi[0].GetUInt32() != hostAbi.Major || abi[1].GetUInt32() != hostAbi.Minor)
                return null; // negotiated for another offered minor: the records would not be this host's
            var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (var e in root.GetProperty("entries").EnumerateArray())
            {
                var stamp = new FileStamp(e.GetProperty("size").GetInt64(), e.GetProperty("mtime_ns").GetInt64(),
                    e.GetProperty("ctime_ns").GetInt64(), ulong.Parse(e.GetProperty("inode").GetString()!, CultureInfo.InvariantCulture),
                    ulong.Parse(e.GetProperty("device").GetString()!, CultureInfo.InvariantCulture));
                var sha = e.GetProperty("sha256");
                var record = ScanRecord.Read(e.GetProperty("record"));
                if (record is null) return null;
                entries[e.GetProperty("path").GetString()!] =
                    new Entry(stamp, sha.ValueKind == JsonValueKind.String ? sha.GetString() : null,
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
