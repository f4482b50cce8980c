using System.Globalization;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Cli.Options;

/// <summary>A size on the command line: bytes, or a number with a binary suffix K, M or G (1024-based, "256M").</summary>
public static class ByteSize
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="option"/> names the option in the usage error.</summary>
    public static long Parse(string text, string option)
    {
        var s = text.Trim();
        long unit = 1;
        if (s.Length > 0 && char.ToUpperInvariant(s[^1]) is 'K' or 'M' or 'G' && s[^1] is var suffix)
        {
            unit = char.ToUpperInvariant(suffix) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            s = s[..^1];
        }
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > long.MaxValue / unit)
            throw new UsageException($"{option}: '{text}' is not a size (bytes, or a whole number with K, M or G, e.g. 256M)");
        return n * unit;
    }
}
