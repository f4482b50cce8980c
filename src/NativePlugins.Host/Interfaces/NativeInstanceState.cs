using System.ComponentModel;
using System.Text;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// An instance the host created through a registered interface's <c>@create</c> and has not yet handed to its typed
/// wrapper: what <see cref="INativeInstance{TSelf}.Create"/> passes to the <see cref="NativeInstance"/> constructor.
/// Only the host makes one, so a wrapper always wraps a validated vtable and a live instance.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class NativeInstanceState
{
    private int _taken;

    private NativeInstanceState(PluginLibrary library, PluginInfo plugin, ValidatedInterface vtable, string config,
        InstanceHandle handle, AllocationCounters counters)
    {
        Library = library;
        Plugin = plugin;
        VTable = vtable;
        Config = config;
        Handle = handle;
        Counters = counters;
    }

    internal PluginLibrary Library { get; }
    internal PluginInfo Plugin { get; }
    internal ValidatedInterface VTable { get; }
    internal string Config { get; }
    internal InstanceHandle Handle { get; }
    internal AllocationCounters Counters { get; }

    /// <summary>A state wraps one instance once: a second wrapper would destroy it a second time.</summary>
    internal void Take()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
            throw new InvalidOperationException($"the instance of plugin '{Plugin.Id}' is already wrapped");
    }

    internal bool IsTaken => Volatile.Read(ref _taken) != 0;

    /// <summary>Creates an instance: a reference on the library (rule H6), its own np_host_t, then
    /// <c>@create</c> with the config. A failing status is a <see cref="PluginCallException"/> with the plugin's
    /// message; NP_OK without an instance is a protocol violation.</summary>
    internal static NativeInstanceState Create(PluginLibrary library, PluginInfo plugin, ValidatedInterface vt, string config)
    {
        var contract = vt.Registered.Contract;
        var create = (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int>)vt.FunctionAt(contract.Create!.Offset);
        var destroy = (delegate* unmanaged[Cdecl]<void*, void>)vt.FunctionAt(contract.Destroy!.Offset);
        var libraryHandle = library.Handle;
        bool libraryRef = false;
        libraryHandle.DangerousAddRef(ref libraryRef); // throws ObjectDisposedException when the library is gone
        HostTable? table = null;
        try
        {
            table = InstanceTables.Create(library, plugin, out var counters);
            var configBytes = Encoding.UTF8.GetBytes(config);
            byte* buffer = stackalloc byte[PluginErrorText.Capacity];
            np_error_t error; // field by field (rule H8, NpScalarInit)
            NpScalarInit.Init(&error, message: buffer, capacity: PluginErrorText.Capacity);
            void* instance = null;
            int status;
            fixed (byte* c = configBytes)
            {
                var configStr = new np_str_t { ptr = configBytes.Length == 0 ? null : c, len = (ulong)configBytes.Length };
                status = create(table.Pointer, configStr, &instance, &error);
            }
            if (status != NpAbi.NP_OK)
                throw new PluginCallException(contract.Create.Name, status, plugin.Id, plugin.FilePath,
                    PluginErrorText.Read(error, buffer), error.code);
            if (instance == null)
                throw new PluginCallException(contract.Create.Name, NpAbi.NP_ERR_PLUGIN, plugin.Id, plugin.FilePath,
                    $"{contract.Create.Name} returned NP_OK but no instance", protocolViolation: true);
            var handle = new InstanceHandle(instance, destroy, libraryHandle, table);
            return new NativeInstanceState(library, plugin, vt, config, handle, counters);
        }
        catch
        {
            table?.Dispose();
            if (libraryRef) libraryHandle.DangerousRelease();
            throw;
        }
    }
}
