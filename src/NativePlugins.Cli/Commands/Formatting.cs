using System.Globalization;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

internal static class Formatting
{
    public static string Threading(PluginThreading t) => t == PluginThreading.Single ? "single" : "thread-safe";

    public static string Bytes(long n) => n switch
    {
        < 10 * 1024 => n.ToString(CultureInfo.InvariantCulture) + " B",
        < 10L * 1024 * 1024 => (n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (n / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    public static string Millis(TimeSpan t) => t.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Hex(ulong v) => "0x" + v.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The names of the set bits of np_library_t.flags (<c>NP_LIBRARY_NO_UNLOAD</c>); a bit this tool does
    /// not know shows as its hex value.</summary>
    public static IReadOnlyList<string> LibraryFlagNames(LibraryFlags flags)
    {
        var names = new List<string>();
        for (int bit = 0; bit < 64; bit++)
        {
            var f = (LibraryFlags)(1UL << bit);
            if ((flags & f) == 0) continue;
            names.Add(f == LibraryFlags.NoUnload ? "NP_LIBRARY_NO_UNLOAD" : "0x" + ((ulong)f).ToString("x", CultureInfo.InvariantCulture));
        }
        return names;
    }

    /// <summary>The flags line of <c>inspect</c>: the names, "none", or why they were not read.</summary>
    public static string FlagsLine(PluginLibrary l) =>
        l.AgreedAbi.Minor < 2 ? $"(not read at ABI {l.AgreedAbi})"
        : l.Flags == LibraryFlags.None ? "none"
        : string.Join(" | ", LibraryFlagNames(l.Flags));
}
