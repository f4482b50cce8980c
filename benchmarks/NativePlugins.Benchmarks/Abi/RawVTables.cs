using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.Abi;

/// <summary>
/// The floor of the .NET side: a library's vtables reached with nothing but the generated bindings
/// (<c>NativeLibrary</c>, <c>np_entry</c>, <c>delegate* unmanaged[Cdecl]</c>), no host library in between. The
/// benchmarks use it (a) for <c>np.bench/1</c>, which the host library does not know, and (b) to show how much of a
/// host-API call is the call itself and how much is the host's bookkeeping. Load the file through
/// <c>PluginHost</c> first: that validates it; this only re-opens the same mapping (dlopen ref-counts).
/// </summary>
public sealed unsafe class RawVTables : IDisposable
{
    private nint _handle;
    private readonly np_library_t* _library;

    public RawVTables(string path)
    {
        _handle = NativeLibrary.Load(path);
        var entry = (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int>)
            NativeLibrary.GetExport(_handle, NpAbi.NP_ENTRY_SYMBOL_STRING);
        var negotiation = new np_negotiation_t
        {
            struct_size = (uint)sizeof(np_negotiation_t),
            abi_major = NpAbi.NP_ABI_MAJOR,
            abi_minor = NpAbi.NP_ABI_MINOR,
        };
        np_library_t* library = null;
        int status = entry(&negotiation, &library);
        if (status != NpAbi.NP_OK || library == null)
            throw new InvalidOperationException($"{path}: np_entry returned {status}");
        _library = library;
    }

    /// <summary>The vtable of <paramref name="interfaceId"/> in plugin <paramref name="pluginId"/>.</summary>
    public void* Find(string pluginId, string interfaceId)
    {
        for (uint p = 0; p < _library->plugin_count; p++)
        {
            var plugin = _library->plugins[p];
            if (Text(plugin->id) != pluginId) continue;
            for (ulong i = 0; i < plugin->interface_count; i++)
                if (Text(plugin->interfaces[i].id) == interfaceId) return plugin->interfaces[i].vtable;
            throw new InvalidOperationException($"plugin {pluginId} has no interface {interfaceId}");
        }
        throw new InvalidOperationException($"no plugin {pluginId}");
    }

    /// <summary>Creates an np.transform/1 instance directly through the vtable, with a minimal host table.</summary>
    public np_instance_t* CreateTransform(string pluginId, string config, out np_transform_v1_t* vtable)
    {
        vtable = (np_transform_v1_t*)Find(pluginId, NpAbi.NP_TRANSFORM_ID_STRING);
        var bytes = Encoding.UTF8.GetBytes(config);
        np_instance_t* instance = null;
        int status;
        fixed (byte* c = bytes)
            status = vtable->create(MinimalHostTable.Pointer, new np_str_t { ptr = bytes.Length == 0 ? null : c, len = (ulong)bytes.Length },
                &instance, null);
        if (status != NpAbi.NP_OK) throw new InvalidOperationException($"{pluginId}: create returned {status}");
        return instance;
    }

    public void Dispose()
    {
        if (_handle != 0) NativeLibrary.Free(_handle);
        _handle = 0;
    }

    private static string Text(np_str_t s) => Encoding.UTF8.GetString(s.ptr, checked((int)s.len));
}
