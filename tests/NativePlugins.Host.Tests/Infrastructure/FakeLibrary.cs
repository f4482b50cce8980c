using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests.Infrastructure;

/// <summary>
/// Library and plugin descriptors built in native memory from C#, with the generated ABI types, so that every check
/// of the descriptor validator can be exercised without compiling a broken library for each one. The function
/// pointers are non-NULL addresses that validation only checks, never calls (the descriptor validator runs before any call).
/// </summary>
public sealed unsafe class FakeLibrary : IDisposable
{
    private readonly List<nint> _blocks = [];

    public FakeLibrary(int pluginCount = 1, uint structExtraBytes = 0)
    {
        Library = Alloc<np_library_t>(structExtraBytes);
        Library->struct_size = (uint)sizeof(np_library_t);
        Library->plugin_count = (uint)pluginCount;
        Library->sdk = Str("fake/1.0");
        Library->init = (delegate* unmanaged[Cdecl]<np_host_t*, np_error_t*, int>)NeverCalled;
        Library->deinit = (delegate* unmanaged[Cdecl]<void>)NeverCalled;
        Library->plugins = (np_plugin_descriptor_t**)Alloc(pluginCount * sizeof(nint));
        Vtable = Alloc<np_transform_v1_t>(structExtraBytes);
        Vtable->struct_size = (uint)sizeof(np_transform_v1_t);
        Vtable->create = (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int>)NeverCalled;
        Vtable->destroy = (delegate* unmanaged[Cdecl]<np_instance_t*, void>)NeverCalled;
        Vtable->process = (delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int>)NeverCalled;
        Vtable->flush = (delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int>)NeverCalled;
        Vtable->stats = (delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int>)NeverCalled;
        for (int i = 0; i < pluginCount; i++)
        {
            var d = Alloc<np_plugin_descriptor_t>(structExtraBytes);
            d->struct_size = (uint)sizeof(np_plugin_descriptor_t);
            d->threading = NpAbi.NP_THREADING_SINGLE;
            d->id = Str($"org.example.fake{i}");
            d->name = Str($"Fake {i}");
            d->version = Str("1.0.0");
            d->description = Str("");
            d->vendor = Str("Tests");
            SetInterfaces(d, (NpAbi.NP_TRANSFORM_ID_STRING, (nint)Vtable));
            Library->plugins[i] = d;
        }
    }

    private const nint NeverCalled = 0x1000; // an unmapped page: a call would fault at once, never run stray code

    public np_library_t* Library { get; }

    public np_transform_v1_t* Vtable { get; }

    public np_plugin_descriptor_t* Plugin(int i = 0) => Library->plugins[i];

    public void SetInterfaces(np_plugin_descriptor_t* d, params (string Id, nint Vtable)[] interfaces)
    {
        var array = (np_interface_t*)Alloc(Math.Max(1, interfaces.Length) * sizeof(np_interface_t));
        for (int i = 0; i < interfaces.Length; i++) array[i] = new np_interface_t { id = Str(interfaces[i].Id), vtable = (void*)interfaces[i].Vtable };
        d->interfaces = array;
        d->interface_count = (ulong)interfaces.Length;
    }

    public np_str_t Str(string s) => Bytes(Encoding.UTF8.GetBytes(s));

    public np_str_t Bytes(byte[] bytes)
    {
        var p = (byte*)Alloc(Math.Max(1, bytes.Length));
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return new np_str_t { ptr = bytes.Length == 0 ? null : p, len = (ulong)bytes.Length };
    }

    public void* Alloc(int bytes)
    {
        var p = NativeMemory.AllocZeroed((nuint)bytes);
        _blocks.Add((nint)p);
        return p;
    }

    private T* Alloc<T>(uint extra) where T : unmanaged => (T*)Alloc(sizeof(T) + (int)extra);

    public void Dispose()
    {
        foreach (var b in _blocks) NativeMemory.Free((void*)b);
        _blocks.Clear();
    }
}
