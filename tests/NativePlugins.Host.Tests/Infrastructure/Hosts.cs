using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Infrastructure;

/// <summary>Host construction shared by the tests: never reads NPLUG_PLUGIN_PATH unless a test asks for it, so the
/// environment of the machine cannot change a result.</summary>
public static class Hosts
{
    public const string Upper = "org.nativeplugins.c.upper";
    public const string Grep = "org.nativeplugins.c.grep";
    public const string Counter = "org.nativeplugins.c.counter";

    public static PluginHost Create(ILoggerFactory? logging = null, uint? abiMinor = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        LoggerFactory = logging,
        AbiMinor = abiMinor ?? Interop.NpAbi.NP_ABI_MINOR,
    });

    /// <summary>A host with both C sample libraries loaded.</summary>
    public static PluginHost WithCPlugins(ILoggerFactory? logging = null)
    {
        var host = Create(logging);
        host.Load(NativeArtifacts.CText);
        host.Load(NativeArtifacts.CCounter);
        return host;
    }

    /// <summary>Runs records through one new instance (process + flush) and returns the output as strings.</summary>
    public static List<string> Run(PluginHost host, string pluginId, string config, params string[] records)
    {
        using var instance = host.CreateTransform(pluginId, config);
        using var input = Buffer(records);
        using var output = new RecordBuffer();
        instance.Process(input, output);
        instance.Flush(output);
        return output.ToStringList();
    }

    public static RecordBuffer Buffer(params string[] records)
    {
        var b = new RecordBuffer();
        foreach (var r in records) b.Append(r);
        return b;
    }

    /// <summary>Proves a host still works: loads (when needed) and runs the C upper plugin.</summary>
    public static void AssertStillWorks(PluginHost host)
    {
        if (!host.TryGetPlugin(Upper, out _)) host.Load(NativeArtifacts.CText);
        Assert.Equal(["ABC", "ÉTÉ"], Run(host, Upper, "", "abc", "été"));
    }
}
