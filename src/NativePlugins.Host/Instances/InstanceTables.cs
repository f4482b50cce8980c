using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Services;

namespace NativePlugins.Hosting.Instances;

/// <summary>
/// The per-instance <c>np_host_t</c> every instance is created with, whatever its interface: log lines go to a
/// logger named after the plugin id, host allocations are charged to the instance's own counters (children of the
/// library's, rule P4), so that both are attributed to the plugin that made them.
/// </summary>
internal static class InstanceTables
{
    public static HostTable Create(PluginLibrary library, PluginInfo plugin, out AllocationCounters counters)
    {
        var services = library.Host.Services;
        counters = new AllocationCounters(library.Allocations);
        var logger = services.LoggerFactory.CreateLogger(plugin.Id);
        return new HostTable(new HostTableContext(services, logger, counters, $"plugin '{plugin.Id}'"),
            library.AgreedAbi.Minor);
    }
}
