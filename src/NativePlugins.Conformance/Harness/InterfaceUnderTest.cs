using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// One interface of one plugin that a <see cref="NativeInterfaceContract"/> describes: the plugin's vtable read through
/// the contract's offsets, per rule H2 (a function exists only when struct_size covers it), and raw calls of the
/// contract's <c>@create</c>/<c>@destroy</c>. Nothing here judges the plugin; the interface checks do.
/// </summary>
internal sealed unsafe class InterfaceUnderTest
{
    private readonly byte* _vtable;

    public InterfaceUnderTest(LibraryUnderTest library, PluginSnapshot plugin, InterfaceSnapshot entry,
        NativeInterfaceContract contract, string config)
    {
        if (entry.Vtable == 0) throw new ArgumentException("the vtable is NULL", nameof(entry));
        Library = library;
        Plugin = plugin;
        Entry = entry;
        Contract = contract;
        Config = config;
        _vtable = (byte*)entry.Vtable;
        StructSize = *(uint*)_vtable;
        Reserved = StructSize >= 8 ? *(uint*)(_vtable + 4) : 0;
    }

    public LibraryUnderTest Library { get; }
    public PluginSnapshot Plugin { get; }
    public InterfaceSnapshot Entry { get; }
    public NativeInterfaceContract Contract { get; }

    /// <summary>The config every create of the checks uses (empty, or the --config given for the plugin's id).</summary>
    public string Config { get; }

    public string ConfigShown => Config.Length == 0 ? "the empty config" : $"config '{Config}'";

    /// <summary>The prefix of the checks' messages: the interface id (the result names the plugin already).</summary>
    public string Where => Contract.Id;

    /// <summary>The vtable's struct_size as the library set it.</summary>
    public uint StructSize { get; }

    /// <summary>The vtable's reserved field (must be 0, rule I3); 0 when struct_size does not even cover it.</summary>
    public uint Reserved { get; }

    /// <summary>True when struct_size covers the whole field of <paramref name="f"/> (rule H2).</summary>
    public bool Covers(NativeInterfaceFunction f) => StructSize >= f.End;

    /// <summary>The function pointer of <paramref name="f"/>, or 0 when it is NULL or struct_size ends before it.</summary>
    public IntPtr Function(NativeInterfaceFunction f) => Covers(f) ? *(IntPtr*)(_vtable + f.Offset) : 0;

    /// <summary>True when the contract's @create and @destroy are both within struct_size and non-NULL.</summary>
    public bool CanCreate =>
        Contract is { Create: { } c, Destroy: { } d } && Function(c) != 0 && Function(d) != 0;

    /// <summary>Calls @create with a UTF-8 config copied into native memory for the call only (and scrubbed after it,
    /// so that a plugin that kept the pointer reads garbage rather than the config).</summary>
    public int Create(np_host_t* host, string config, IntPtr* instance, np_error_t* error)
    {
        var create = (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, IntPtr*, np_error_t*, int>)RequireFunction(Contract.Create);
        var bytes = Encoding.UTF8.GetBytes(config);
        var p = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes.Length, 1));
        try
        {
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            var s = new np_str_t { ptr = bytes.Length == 0 ? null : p, len = (ulong)bytes.Length };
            return create(host, s, instance, error);
        }
        finally
        {
            new Span<byte>(p, Math.Max(bytes.Length, 1)).Fill(0xCC);
            NativeMemory.Free(p);
        }
    }

    /// <summary>Calls @destroy (NULL included: the contract of rule I5 makes it a no-op).</summary>
    public void Destroy(IntPtr instance)
    {
        var destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)RequireFunction(Contract.Destroy);
        destroy(instance);
    }

    private IntPtr RequireFunction(NativeInterfaceFunction? f)
    {
        if (f is null) throw new InvalidOperationException($"{Contract.Id} has no @create/@destroy: it has no instances");
        var p = Function(f);
        if (p == 0) throw new InvalidOperationException($"{Plugin.DisplayId}: {Where}: {f.Name} is NULL or beyond struct_size {StructSize}");
        return p;
    }
}
