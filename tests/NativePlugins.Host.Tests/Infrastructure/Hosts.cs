using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Infrastructure;

/// <summary>The C sample plugins as these tests use them; host construction and runs are <see cref="TestHosts"/>'s.</summary>
public static class Hosts
{
    public const string Upper = "org.nativeplugins.c.upper";
    public const string Grep = "org.nativeplugins.c.grep";
    public const string Counter = "org.nativeplugins.c.counter";

    /// <summary>A host with both C sample libraries loaded.</summary>
    public static PluginHost WithCPlugins(Microsoft.Extensions.Logging.ILoggerFactory? logging = null)
    {
        var host = TestHosts.Create(logging);
        host.Load(NativeArtifacts.CText);
        host.Load(NativeArtifacts.CCounter);
        return host;
    }

    /// <summary>Proves a host still works: loads (when needed) and runs the C upper plugin.</summary>
    public static void AssertStillWorks(PluginHost host)
    {
        if (!host.TryGetPlugin(Upper, out _)) host.Load(NativeArtifacts.CText);
        Assert.Equal(["ABC", "ÉTÉ"], TestHosts.Run(host, Upper, "", "abc", "été"));
    }
}
