using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug manifest &lt;library&gt;...</c>: writes each library's sidecar manifest
/// (<see cref="PluginHost.WriteManifest"/>). A library that is refused, or crashes, exits or hangs in the scanner gets
/// none: its error is printed and the exit code is 1; the others are still written.</summary>
internal static class ManifestCommand
{
    public static int Run(ManifestOptions o, CliConsole console)
    {
        if (!(o.ScanTimeout > 0)) throw new UsageException("manifest: --scan-timeout must be a positive number of seconds");
        var files = o.Files.ToList();
        foreach (var f in files)
            if (!File.Exists(f)) throw new UsageException($"manifest: no such file: {NativeText.OneLine(f)}");
        using var host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            HostName = "nplug",
            Discovery = DiscoveryOptions.Default with { UseCache = false, ScanTimeout = TimeSpan.FromSeconds(o.ScanTimeout) },
        });
        int failed = 0;
        foreach (var f in files)
        {
            try
            {
                console.Out.WriteLine($"wrote {NativeText.OneLine(host.WriteManifest(f))}");
            }
            catch (PluginLoadException e)
            {
                console.Error.WriteLine($"nplug: error: {e.Message}");
                failed++;
            }
        }
        console.Out.Flush();
        return failed > 0 ? ExitCodes.PluginError : ExitCodes.Ok;
    }
}
