using System.Security.Cryptography;

namespace NativePlugins.Hosting.Discovery;

/// <summary>Finds a loaded library file with exactly the same bytes as a candidate (length first, then SHA-256;
/// hashes are computed only for files of equal length).</summary>
internal sealed class IdenticalFiles(IEnumerable<string> loaded)
{
    private readonly List<string> _files = loaded.ToList();
    private readonly Dictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

    public void Add(string file) => _files.Add(file);

    public string? Find(string candidate)
    {
        try
        {
            var length = new FileInfo(candidate).Length;
            byte[]? hash = null;
            foreach (var f in _files)
            {
                if (!File.Exists(f) || new FileInfo(f).Length != length) continue;
                hash ??= Hash(candidate);
                if (hash.AsSpan().SequenceEqual(HashOf(f))) return f;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: let the load report it.
        }
        return null;
    }

    private byte[] HashOf(string file)
    {
        if (!_hashes.TryGetValue(file, out var h)) _hashes[file] = h = Hash(file);
        return h;
    }

    private static byte[] Hash(string file)
    {
        using var s = File.OpenRead(file);
        return SHA256.HashData(s);
    }
}
