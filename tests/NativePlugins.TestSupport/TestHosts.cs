using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;

namespace NativePlugins.TestSupport;

/// <summary>Host construction and record runs shared by the test projects: a host never reads NPLUG_PLUGIN_PATH
/// unless a test asks for it, so the environment of the machine cannot change a result.</summary>
public static class TestHosts
{
    /// <summary>A host with no library loaded, offering <paramref name="abiMinor"/> (default: the header's).</summary>
    public static PluginHost Create(ILoggerFactory? logging = null, uint? abiMinor = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        LoggerFactory = logging,
        AbiMinor = abiMinor ?? Interop.NpAbi.NP_ABI_MINOR,
    });

    /// <summary>A buffer holding <paramref name="records"/> as UTF-8.</summary>
    public static RecordBuffer Buffer(params string[] records)
    {
        var b = new RecordBuffer();
        foreach (var r in records) b.Append(r);
        return b;
    }

    /// <summary>Runs records through one new instance (process + flush) and returns the output as strings.</summary>
    public static List<string> Run(PluginHost host, string pluginId, string config, params string[] records)
    {
        using var instance = host.CreateTransform(pluginId, config);
        return Run(instance, records);
    }

    /// <summary>Process + flush on an existing instance.</summary>
    public static List<string> Run(TransformInstance instance, params string[] records)
    {
        using var input = Buffer(records);
        using var output = new RecordBuffer();
        instance.Process(input, output);
        instance.Flush(output);
        return output.ToStringList();
    }

    /// <summary>Process only (no flush).</summary>
    public static List<string> Process(TransformInstance instance, params string[] records)
    {
        using var input = Buffer(records);
        using var output = new RecordBuffer();
        instance.Process(input, output);
        return output.ToStringList();
    }
}
