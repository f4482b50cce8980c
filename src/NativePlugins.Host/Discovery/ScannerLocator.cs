using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Discovery;

/// <summary>Finds the <c>nplug-scan</c> executable: <see cref="DiscoveryOptions.ScannerPath"/>, then
/// <c>NPLUG_SCANNER</c>, then next to the NativePlugins.Host assembly (where the nplug tool and a build output put it),
/// its <c>runtimes/&lt;rid&gt;/native/</c> folder (the NuGet package's place) and the application's base directory.</summary>
internal static class ScannerLocator
{
    public const string FileName = "nplug-scan";

    /// <summary>The scanner's full path, or null with the places looked at in <paramref name="searched"/>.</summary>
    public static string? Find(DiscoveryOptions options, out string searched)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(options.ScannerPath)) candidates.Add(Path.GetFullPath(options.ScannerPath));
        else
        {
            var env = Environment.GetEnvironmentVariable(DiscoveryOptions.ScannerEnvironmentVariable);
            if (!string.IsNullOrEmpty(env)) candidates.Add(Path.GetFullPath(env));
            var rid = RuntimeInformation.RuntimeIdentifier;
            // The host assembly's folder (a tool or test folder where it is not the application's) and the app's own.
            // Location is empty in a single-file app, where the base directory serves.
#pragma warning disable IL3000
            var hostDir = Path.GetDirectoryName(typeof(ScannerLocator).Assembly.Location);
#pragma warning restore IL3000
            foreach (var dir in new[] { hostDir, AppContext.BaseDirectory })
            {
                if (string.IsNullOrEmpty(dir)) continue;
                candidates.Add(Path.Combine(dir, FileName));
                candidates.Add(Path.Combine(dir, "runtimes", rid, "native", FileName));
                candidates.Add(Path.Combine(dir, "runtimes", "linux-x64", "native", FileName));
            }
        }
        searched = string.Join(", ", candidates.Distinct(StringComparer.Ordinal));
        foreach (var c in candidates)
            if (File.Exists(c))
            {
                EnsureExecutable(c);
                return c;
            }
        return null;
    }

    /// <summary>A package extraction may drop the executable bit: restore it for the owner when that is allowed.</summary>
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to change: running it will say why it fails (ScanFailed).
        }
    }
}
