using System.Security.Cryptography;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// Finds a loaded library file with exactly the same bytes as a candidate. Loaded files are indexed by length and
/// a hash of their first 4 KiB (one read; libraries built apart differ there already, in the ELF build-id note),
/// so a candidate costs a stat, one small read and a dictionary lookup; only when both match are full SHA-256
/// hashes compared, each file hashed at most once (a candidate's facts are kept for when it is loaded and added).
/// A scan of n distinct files is therefore linear, where comparing every candidate with every loaded file was
/// quadratic, and it stays cheap when all of them have the same length (one source built n times).
/// </summary>
internal sealed class IdenticalFiles
{
    private const int PrefixBytes = 4096;

    private sealed class Known(string path, long length, int prefixHash)
    {
        public string Path { get; } = path;
        public long Length { get; } = length;
        public int PrefixHash { get; } = prefixHash;
        public byte[]? Hash { get; set; }
        public bool Unreadable { get; set; }
    }

    private readonly Dictionary<(long Length, int PrefixHash), List<Known>> _byPrefix = [];
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
        var key = (known.Length, known.PrefixHash);
        if (!_byPrefix.TryGetValue(key, out var similar)) _byPrefix[key] = similar = [];
        similar.Add(known);
    }

    /// <summary>The first loaded file with the candidate's bytes, or null (also when a file cannot be read: the
    /// load then reports it).</summary>
    public string? Find(string candidate)
    {
        var c = _lastCandidate = Stat(candidate);
        if (c is null || !_byPrefix.TryGetValue((c.Length, c.PrefixHash), out var similar)) return null;
        if (HashOf(c) is not { } hash) return null;
        foreach (var loaded in similar)
            if (HashOf(loaded) is { } other && hash.AsSpan().SequenceEqual(other)) return loaded.Path;
        return null;
    }

    /// <summary>Length and prefix hash of a file, or null when it is gone or unreadable.</summary>
    private static Known? Stat(string file)
    {
        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(handle);
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
            return new Known(file, length, h.ToHashCode());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
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
            file.Unreadable = true; // deleted or replaced since it was loaded, or not readable: never identical
            return null;
        }
    }
}
