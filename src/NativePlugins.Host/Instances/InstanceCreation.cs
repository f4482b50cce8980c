using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Instances;

/// <summary>
/// Creating an instance, whatever its interface (np.transform/1 or a registered one): a reference on the library
/// (rule H6), the instance's own <c>np_host_t</c> (log lines go to a logger named after the plugin id, host
/// allocations to the instance's own counters, children of the library's, rule P4), then the interface's create
/// with the config. Every create function of the ABI has the same shape
/// (<c>np_status (*)(const np_host_t *, np_str_t config, T **out_instance, np_error_t *)</c>, rule I5), so one
/// function serves them all.
/// </summary>
internal static unsafe class InstanceCreation
{
    /// <summary>Calls <paramref name="create"/> and wraps the result in an <see cref="InstanceHandle"/> that destroys
    /// it with <paramref name="destroy"/>. A failing status is a <see cref="PluginCallException"/> with the plugin's
    /// message; NP_OK without an instance is a protocol violation. Nothing leaks on failure.</summary>
    /// <param name="library">The library; it stays loaded while the handle lives.</param>
    /// <param name="plugin">The plugin: names the logger, the counters and every message.</param>
    /// <param name="interfaceId">The interface's id, for the span and the counters.</param>
    /// <param name="createName">The create function's name, for messages ("create").</param>
    /// <param name="create">The interface's create function.</param>
    /// <param name="destroy">The interface's destroy function.</param>
    /// <param name="config">The config string, passed as UTF-8.</param>
    /// <param name="counters">The instance's host-allocation counters.</param>
    public static InstanceHandle Create(PluginLibrary library, PluginInfo plugin, string interfaceId, string createName,
        delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create,
        delegate* unmanaged[Cdecl]<void*, void> destroy, string config, out AllocationCounters counters)
    {
        using var activity = HostActivities.StartCreate(plugin, interfaceId);
        try
        {
            var handle = CreateCore(library, plugin, interfaceId, createName, create, destroy, config, out counters);
            activity?.SetTag(PluginTelemetry.OutcomeTag, PluginTelemetry.OutcomeOk);
            return handle;
        }
        catch (Exception e)
        {
            if (e is PluginCallException failed)
            {
                var errorType = failed.IsProtocolViolation ? PluginTelemetry.ProtocolViolationErrorType : failed.StatusName;
                library.Host.Metrics.RecordFailure(plugin.Id, interfaceId, createName, errorType);
                if (activity is not null) HostActivities.Failed(activity, errorType, failed.Message);
            }
            else if (activity is not null)
            {
                HostActivities.Failed(activity, e.GetType().FullName ?? e.GetType().Name, e.Message);
            }
            throw;
        }
    }

    private static InstanceHandle CreateCore(PluginLibrary library, PluginInfo plugin, string interfaceId, string createName,
        delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create,
        delegate* unmanaged[Cdecl]<void*, void> destroy, string config, out AllocationCounters counters)
    {
        var libraryHandle = library.Handle;
        bool libraryRef = false;
        libraryHandle.DangerousAddRef(ref libraryRef); // throws ObjectDisposedException when the library is gone
        HostTable? table = null;
        try
        {
            var services = library.Host.Services;
            counters = new AllocationCounters(library.Allocations);
            var logger = services.LoggerFactory.CreateLogger(plugin.Id);
            table = new HostTable(new HostTableContext(services, logger, counters, $"plugin '{plugin.Id}'"),
                library.AgreedAbi.Minor);

            var configBytes = Encoding.UTF8.GetBytes(config);
            byte* buffer = stackalloc byte[PluginErrorText.BufferBytes];
            np_error_t error; // field by field (rule H8, NpScalarInit)
            PluginErrorText.Init(&error, buffer);
            void* instance = null;
            int status;
            library.Host.Metrics.RecordCall(plugin.Id, interfaceId, createName);
            fixed (byte* c = configBytes)
            {
                var configStr = new np_str_t { ptr = configBytes.Length == 0 ? null : c, len = (ulong)configBytes.Length };
                status = create(table.Pointer, configStr, &instance, &error);
            }
            if (PluginErrorText.Violation(status, error, buffer, out _) is { } broken)
            {
                // An instance made by a call that wrote past the buffer is not handed out; destroy releases it.
                if (status == NpAbi.NP_OK && instance != null) destroy(instance);
                throw new PluginCallException(createName, status, plugin.Id, plugin.FilePath,
                    $"it {PluginErrorText.Describe(broken, status, error, buffer)}", error.code, protocolViolation: true);
            }
            if (status != NpAbi.NP_OK)
                throw new PluginCallException(createName, status, plugin.Id, plugin.FilePath,
                    PluginErrorText.Read(error, buffer), error.code);
            if (instance == null)
                throw new PluginCallException(createName, NpAbi.NP_ERR_PLUGIN, plugin.Id, plugin.FilePath,
                    $"{createName} returned NP_OK but no instance", protocolViolation: true);
            return new InstanceHandle(instance, destroy, libraryHandle, table);
        }
        catch
        {
            table?.Dispose();
            if (libraryRef) libraryHandle.DangerousRelease();
            throw;
        }
    }
}
