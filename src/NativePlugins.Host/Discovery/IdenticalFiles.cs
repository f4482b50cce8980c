using System.Security.Cryptography;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// Finds a loaded library file with exactly the same bytes as a candidate. Loaded files are indexed by length, so
/// a candidate whose length no loaded file has costs one stat; only when lengths match are SHA-256 hashes compared,
/// and each file is hashed at most once (a candidate's hash is kept for when it is loaded and added). A scan of n
/// distinct files is therefore linear, where comparing every candidate with every loaded file was quadratic.
/// </summary>
internal sealed class IdenticalFiles
{
    private sealed class Known(string path, long length)
    {
        public string Path { get; } = path;
        public long Length { get; } = length;
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
        if (HashOf(c) is not { } hash) return null;
        foreach (var loaded in sameLength)
            if (HashOf(loaded) is { } other && hash.AsSpan().SequenceEqual(other)) return loaded.Path;
        return null;
    }

    private static Known? Stat(string file)
    {
        try
        {
            var info = new FileInfo(file);
            return info.Exists ? new Known(file, info.Length) : null;
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
