using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;

namespace NativePlugins.RustPlugins.Tests.Infrastructure;

/// <summary>The Rust samples as these tests use them; host construction and runs are <see cref="TestHosts"/>'s.</summary>
public static class Hosts
{
    /// <summary>A host with libnp_rust_samples.so loaded.</summary>
    public static PluginHost WithSamples(ILoggerFactory? logging = null)
    {
        var host = TestHosts.Create(logging);
        host.Load(RustArtifacts.Samples);
        return host;
    }
}
