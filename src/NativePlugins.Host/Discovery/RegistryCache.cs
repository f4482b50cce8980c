namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// The registry cache: what discovery learned about each library file, keyed by its full path and valid while the
/// file's <see cref="FileStamp"/> is unchanged (and, on demand, its SHA-256). One versioned binary file
/// (<see cref="RegistryCacheFormat"/>), read with one read; a cache of the former JSON format
/// (<see cref="LegacyJsonCache"/>) is read once and rewritten in the binary one.
/// Written atomically (a temporary file in the same directory, then rename), so a reader sees the old or the new
/// file, never half of one; two processes writing at once each leave a complete file (the last rename wins, and a
/// lost entry is only scanned again). A file that is missing, unreadable, corrupt, of another format or written for
/// another offered ABI minor is ignored and rebuilt: reading never throws. Not thread-safe: one discovery owns it.
/// </summary>
internal sealed class RegistryCache
{
    /// <summary><paramref name="Policy"/>: the load policy under which the file passed the checks before dlopen (a hash
    /// of <see cref="LoadPolicy"/>'s text); a host with another policy checks the file again.</summary>
    public sealed record Entry(FileStamp Stamp, string? Sha256, string Policy, ScanRecord Record);

    private readonly Dictionary<string, Entry> _entries;
    private readonly string _path;
    private string? _legacyPath;
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

    /// <summary>Reads the cache at <paramref name="path"/>; an empty cache when there is none or it cannot be used.
    /// <paramref name="legacyPath"/>: where a format-1 cache may be left (the former default file) when there is no
    /// file at <paramref name="path"/>; it is read once and deleted when the new file has been written.</summary>
    public static RegistryCache Open(string path, AbiVersion hostAbi, string? legacyPath = null)
    {
        var file = FileContent.TryRead(path);
        try
        {
            if (file is null && legacyPath is not null && (file = FileContent.TryRead(legacyPath)) is not null)
            {
                var migrated = LegacyJsonCache.Read(file.Value.Memory, hostAbi);
                return new RegistryCache(path, hostAbi, migrated ?? new(StringComparer.Ordinal)) { Changed = true, _legacyPath = legacyPath };
            }
            if (file is not { } content) return new RegistryCache(path, hostAbi, new(StringComparer.Ordinal));
            // A format-1 file at the configured path itself (DiscoveryOptions.CachePath set by the application): migrated.
            bool binary = RegistryCacheFormat.LooksBinary(content.Memory.Span);
            var entries = binary ? RegistryCacheFormat.Read(content.Memory.Span, hostAbi) : LegacyJsonCache.Read(content.Memory, hostAbi);
            return entries is null
                ? new RegistryCache(path, hostAbi, new(StringComparer.Ordinal)) { WasDiscarded = true, Changed = true }
                : new RegistryCache(path, hostAbi, entries) { Changed = !binary };
        }
        finally
        {
            file?.Dispose();
        }
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
        foreach (var file in _entries.Keys) // Remove during the enumeration is allowed (.NET Core 3.0 on)
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
            var bytes = RegistryCacheFormat.Write(_entries, _hostAbi);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, _path, overwrite: true); // rename(2): atomic within the directory
            temp = null;
            Changed = false;
            if (_legacyPath is not null)
                try { File.Delete(_legacyPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
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
}

/// <summary>A whole file read with one read into a buffer rented from the shared pool (the cache of 1,000 libraries
/// is a few hundred KiB: a fresh array each time would be a large-object allocation per discovery). Dispose returns
/// the buffer; <see cref="Memory"/> is invalid afterwards.</summary>
internal readonly struct FileContent : IDisposable
{
    private readonly byte[] _buffer;
    private readonly int _length;

    private FileContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>The content, or null when the file is missing, unreadable, or larger than 1 GiB.</summary>
    public static FileContent? TryRead(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(handle);
            if (length > 1 << 30) return null;
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length + 1);
            int read = 0, n;
            // Until the end of the file (or of the buffer: a file that grew meanwhile is read short of its end,
            // which the format's length check refuses).
            while (read < buffer.Length && (n = RandomAccess.Read(handle, buffer.AsSpan(read), read)) > 0) read += n;
            return new FileContent(buffer, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
}
