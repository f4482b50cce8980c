using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Isolation;
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
        SafeHandle handle, AllocationCounters counters)
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
    internal SafeHandle Handle { get; } // InstanceHandle, or IsolatedInstanceHandle
    internal AllocationCounters Counters { get; }

    /// <summary>A state wraps one instance once: a second wrapper would destroy it a second time.</summary>
    internal void Take()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
            throw new InvalidOperationException($"the instance of plugin '{Plugin.Id}' is already wrapped");
    }

    internal bool IsTaken => Volatile.Read(ref _taken) != 0;

    /// <summary>Creates an instance through the contract's <c>@create</c> (see <see cref="InstanceCreation"/>).</summary>
    internal static NativeInstanceState Create(PluginLibrary library, PluginInfo plugin, ValidatedInterface vt, string config)
    {
        var contract = vt.Registered.Contract;
        var handle = InstanceCreation.Create(library, plugin, contract.Id, contract.Create!.Name,
            (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int>)vt.FunctionAt(contract.Create.Offset),
            (delegate* unmanaged[Cdecl]<void*, void>)vt.FunctionAt(contract.Destroy!.Offset), config, out var counters);
        return new NativeInstanceState(library, plugin, vt, config, handle, counters);
    }

    /// <summary>Creates an instance in a worker process of an isolated library (see <see cref="IsolatedInstance"/>):
    /// its vtable is <paramref name="proxy"/>'s forwarders where the plugin provides the function, NULL elsewhere, read
    /// at the minor the load checks picked (the library's fingerprint's, else the one its struct_size fits).</summary>
    internal static NativeInstanceState CreateIsolated(PluginLibrary library, PluginInfo plugin, RegisteredInterface registered,
        NativeProxy proxy, IsolatedLibrary isolated, string config)
    {
        var remote = IsolatedInstance.Create(isolated, plugin, proxy, config, library.Host.IsolationLogger);
        var contract = registered.Contract;
        var vtable = (byte*)NativeMemory.AllocZeroed(contract.Size);
        IsolatedInstanceHandle handle;
        try
        {
            handle = new IsolatedInstanceHandle(remote, vtable);
        }
        catch
        {
            NativeMemory.Free(vtable);
            remote.Dispose();
            throw;
        }
        uint structSize = remote.StructSize;
        // The minor the load checks picked from the worker's report (the fingerprint's, or the one struct_size fits).
        uint minor = plugin.InterfaceDetails.FirstOrDefault(d => d.Id == contract.Id).Minor
            ?? throw new InvalidOperationException($"{plugin.FilePath}: plugin '{plugin.Id}': {contract.Id} was not checked at load");
        uint readable = Math.Min(registered.VTable.ReadableBytes(structSize, minor), contract.Size);
        *(uint*)vtable = structSize;
        for (int i = 0; i < contract.Functions.Count; i++)
        {
            var f = contract.Functions[i];
            if (f.Role == NativeFunctionRole.Method && f.End <= readable && (remote.Provided & (1UL << i)) != 0)
                *(nint*)(vtable + f.Offset) = proxy.Forwarders[i];
        }
        var vt = new ValidatedInterface(registered, vtable, structSize, readable, minor, null);
        return new NativeInstanceState(library, plugin, vt, config, handle, new AllocationCounters(null));
    }
}
