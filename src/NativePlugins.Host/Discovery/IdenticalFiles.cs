using System.Security.Cryptography;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// Finds a loaded library file with exactly the same bytes as a candidate. Loaded files are indexed by length, so a
/// candidate whose length no loaded file has costs one stat and a dictionary lookup. Only on a length match are the
/// files compared further: first by a hash of their first 4 KiB (one small read; libraries built apart differ there
/// already, in the ELF build-id note), then by full SHA-256. Every fact about a file is computed at most once (a
/// candidate's facts are kept for when it is loaded and added), so a scan of n distinct files is linear, and it stays
/// cheap when all of them have the same length (one source built n times).
/// </summary>
internal sealed class IdenticalFiles
{
    private const int PrefixBytes = 4096;

    private sealed class Known(string path, long length)
    {
        public string Path { get; } = path;
        public long Length { get; } = length;
        public int? PrefixHash { get; set; }
        public byte[]? Hash { get; set; }
        public bool Unreadable { get; set; }
    }

    private readonly Dictionary<long, List<Known>> _byLength = [];
    private Known? _lastCandidate;

    public IdenticalFiles(IEnumerable<string> loaded)
    {
        foreach (var file in loaded) Add(file);
    }

    /// <summary>Records a file that was loaded (normally the candidate just looked up with <see cref="Find"/>).</summary>
    public void Add(string file)
    {
        var known = _lastCandidate is { } c && string.Equals(c.Path, file, StringComparison.Ordinal) ? c : Stat(file);
        _lastCandidate = null;
        if (known is null) return; // gone or unreadable: nothing can be identical to it
        if (!_byLength.TryGetValue(known.Length, out var sameLength)) _byLength[known.Length] = sameLength = [];
        sameLength.Add(known);
    }

    /// <summary>The first loaded file with the candidate's bytes, or null (also when a file cannot be read: the
    /// load then reports it).</summary>
    public string? Find(string candidate)
    {
        var c = _lastCandidate = Stat(candidate);
        if (c is null || !_byLength.TryGetValue(c.Length, out var sameLength)) return null;
        if (PrefixOf(c) is not { } prefix) return null;
        byte[]? hash = null;
        foreach (var loaded in sameLength)
        {
            if (PrefixOf(loaded) != prefix) continue;
            hash ??= HashOf(c);
            if (hash is null) return null;
            if (HashOf(loaded) is { } other && hash.AsSpan().SequenceEqual(other)) return loaded.Path;
        }
        return null;
    }

    /// <summary>A file's length, or null when it is gone or unreadable.</summary>
    private static Known? Stat(string file)
    {
        try
        {
            return new Known(file, new FileInfo(file).Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? PrefixOf(Known file)
    {
        if (file.PrefixHash is not null || file.Unreadable) return file.PrefixHash;
        try
        {
            using var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> prefix = stackalloc byte[PrefixBytes];
            int read = 0;
            while (read < prefix.Length)
            {
                int n = RandomAccess.Read(handle, prefix[read..], read);
                if (n <= 0) break;
                read += n;
            }
            var h = new HashCode();
            h.AddBytes(prefix[..read]); // per-process seed: fine, these hashes never leave the process
            return file.PrefixHash = h.ToHashCode();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Unreadable = true; // deleted or replaced since, or not readable: never identical
            return null;
        }
    }

    private static byte[]? HashOf(Known file)
    {
        if (file.Hash is not null || file.Unreadable) return file.Hash;
        try
        {
            using var s = File.OpenRead(file.Path);
            return file.Hash = SHA256.HashData(s);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Unreadable = true;
            return null;
        }
    }
}
