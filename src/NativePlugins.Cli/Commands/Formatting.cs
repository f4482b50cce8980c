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
}
