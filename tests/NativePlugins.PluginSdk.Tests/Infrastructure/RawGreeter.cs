using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// An acme.greeter/1 vtable (tests/examples/greeter) driven as a host drives it: through its raw function pointers,
/// with caller-owned buffers. Independent of any compiled bindings, so one harness serves the in-memory plugins and
/// the built example libraries alike.
/// </summary>
internal sealed unsafe class RawGreeter(void* vtable)
{
    /// <summary>Mirrors acme_greeter_v1_t (tests/examples/greeter/include/acme/greeter.h); only ever read through a
    /// pointer to a plugin's vtable.</summary>
#pragma warning disable CS0649 // filled by the plugin, never by this code
    public struct VTableLayout
    {
        public uint struct_size;
        public uint reserved;
        public delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create;
        public delegate* unmanaged[Cdecl]<void*, void> destroy;
        public delegate* unmanaged[Cdecl]<void*, np_str_t, np_out_bytes_t*, np_error_t*, int> greet;
        public delegate* unmanaged[Cdecl]<void*, long, long, long*, np_error_t*, int> add;
        public delegate* unmanaged[Cdecl]<void*, ulong> count;
    }
#pragma warning restore CS0649

    public VTableLayout* VTable { get; } = (VTableLayout*)vtable;

    /// <summary>create: the status, the instance (0 when create failed: it must set *out_instance to NULL) and the
    /// message.</summary>
    public (int Status, nint Instance, string Message) TryCreate(NativeTestHost host, string config)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(config);
        var error = new ErrorBuffer();
        void* instance = (void*)0x1;
        int status;
        fixed (byte* bytes = utf8)
            status = VTable->create(host.Table, new np_str_t { ptr = bytes, len = (ulong)utf8.Length }, &instance, error.Pointer);
        return (status, (nint)instance, error.ToString());
    }

    public nint Create(NativeTestHost host, string config = "")
    {
        var (status, instance, message) = TryCreate(host, config);
        Assert.True(status == NpAbi.NP_OK, $"create returned {status}: {message}");
        return instance;
    }

    public (int Status, string Message, int Code) Greet(nint instance, ReadOnlySpan<byte> name, NativeOutBytes output)
    {
        var error = new ErrorBuffer();
        int status;
        fixed (byte* bytes = name)
            status = VTable->greet((void*)instance, new np_str_t { ptr = bytes, len = (ulong)name.Length }, output.Pointer, error.Pointer);
        return (status, error.ToString(), error.Code);
    }

    /// <summary>greet into a growable buffer, asserting success.</summary>
    public string GreetText(nint instance, string name)
    {
        using var output = new NativeOutBytes();
        var (status, message, _) = Greet(instance, Encoding.UTF8.GetBytes(name), output);
        Assert.True(status == NpAbi.NP_OK, $"greet returned {status}: {message}");
        return output.ToString();
    }

    public (int Status, long Sum, string Message) Add(nint instance, long a, long b)
    {
        var error = new ErrorBuffer();
        long sum = -1;
        int status = VTable->add((void*)instance, a, b, &sum, error.Pointer);
        return (status, sum, error.ToString());
    }

    public void Destroy(nint instance) => VTable->destroy((void*)instance);
}
