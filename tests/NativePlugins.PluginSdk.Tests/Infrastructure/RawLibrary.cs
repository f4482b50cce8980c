using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// A plugin library driven through the generated bindings only (NativeLibrary + function pointers), independent of the
/// host library: what these tests check is exactly what crosses the C ABI. Libraries are never unloaded (C# plugins
/// cannot be: rule H6).
/// </summary>
internal sealed unsafe class RawLibrary
{
    private RawLibrary(string path, np_library_t* library, np_negotiation_t negotiation)
    {
        Path = path;
        Library = library;
        Negotiation = negotiation;
    }

    public string Path { get; }
    public np_library_t* Library { get; }
    public np_negotiation_t Negotiation { get; }

    public static delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int> Entry(string path)
    {
        nint handle = NativeLibrary.Load(RepoLayout.Existing(path));
        return (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int>)NativeLibrary.GetExport(handle, NpAbi.NP_ENTRY_SYMBOL_STRING);
    }

    /// <summary>Calls np_entry with the given versions; returns the status and what the library wrote.
    /// <paramref name="error"/> goes into np_negotiation_t.error (ABI 1.2) and <paramref name="structSize"/>, when
    /// given, replaces sizeof(np_negotiation_t) (an older host's struct: NP_SIZEOF_np_negotiation_t_1_1).</summary>
    public static NegotiationResult Negotiate(string path, uint major = NpAbi.NP_ABI_MAJOR, uint minor = NpAbi.NP_ABI_MINOR,
        np_error_t* error = null, uint? structSize = null)
    {
        var entry = Entry(path);
        var negotiation = new np_negotiation_t
        {
            struct_size = structSize ?? (uint)sizeof(np_negotiation_t),
            abi_major = major,
            abi_minor = minor,
            library_abi_major = 0xDEAD,
            library_abi_minor = 0xBEEF,
            error = error,
        };
        np_library_t* library = null;
        int status = entry(&negotiation, &library);
        return new NegotiationResult(status, negotiation, library);
    }

    /// <summary>Loads, negotiates the current version and runs init; fails the test on any error.</summary>
    public static RawLibrary Open(string path, NativeTestHost host)
    {
        var (status, negotiation, library) = Negotiate(path);
        Assert.True(status == NpAbi.NP_OK, $"np_entry of {path} returned {status}");
        var error = new ErrorBuffer();
        int init = library->init(host.Table, error.Pointer);
        Assert.True(init == NpAbi.NP_OK, $"init of {path} returned {init}: {error}");
        return new RawLibrary(path, library, negotiation);
    }

    public string Sdk => Str(Library->sdk);

    public IEnumerable<string> PluginIds =>
        Enumerable.Range(0, (int)Library->plugin_count).Select(i => Str(Library->plugins[i]->id)).ToList();

    public np_plugin_descriptor_t* Plugin(string id)
    {
        for (int i = 0; i < Library->plugin_count; i++)
        {
            if (Str(Library->plugins[i]->id) == id)
                return Library->plugins[i];
        }
        throw new KeyNotFoundException($"{Path} has no plugin '{id}' (it has {string.Join(", ", PluginIds)})");
    }

    public np_transform_v1_t* Transform(string id)
    {
        np_plugin_descriptor_t* plugin = Plugin(id);
        for (ulong i = 0; i < plugin->interface_count; i++)
        {
            if (Str(plugin->interfaces[i].id) == NpAbi.NP_TRANSFORM_ID_STRING)
                return (np_transform_v1_t*)plugin->interfaces[i].vtable;
        }
        throw new KeyNotFoundException($"{id} does not implement {NpAbi.NP_TRANSFORM_ID_STRING}");
    }

    /// <summary>The vtable plugin <paramref name="id"/> offers for <paramref name="interfaceId"/>.</summary>
    public void* Interface(string id, string interfaceId)
    {
        np_plugin_descriptor_t* plugin = Plugin(id);
        for (ulong i = 0; i < plugin->interface_count; i++)
        {
            if (Str(plugin->interfaces[i].id) == interfaceId)
                return plugin->interfaces[i].vtable;
        }
        throw new KeyNotFoundException($"{id} does not implement {interfaceId}");
    }

    /// <summary>create: the status, the instance (on success) and the message (on failure).</summary>
    public (int Status, RawInstance? Instance, string Message) TryCreate(string id, string config, NativeTestHost host)
    {
        np_transform_v1_t* vtable = Transform(id);
        byte[] utf8 = Encoding.UTF8.GetBytes(config);
        var error = new ErrorBuffer();
        np_instance_t* instance = null;
        int status;
        fixed (byte* bytes = utf8)
            status = vtable->create(host.Table, new np_str_t { ptr = bytes, len = (ulong)utf8.Length }, &instance, error.Pointer);
        return (status, status == NpAbi.NP_OK ? new RawInstance(vtable, instance) : null, error.ToString());
    }

    public RawInstance Create(string id, string config, NativeTestHost host)
    {
        var (status, instance, message) = TryCreate(id, config, host);
        Assert.True(status == NpAbi.NP_OK, $"create {id} '{config}' returned {status}: {message}");
        return instance!;
    }

    public static string Str(np_str_t text) => text.len == 0 ? "" : Encoding.UTF8.GetString(text.ptr, (int)text.len);
}

/// <summary>What np_entry returned and wrote.</summary>
internal readonly unsafe struct NegotiationResult(int status, np_negotiation_t negotiation, np_library_t* library)
{
    public int Status { get; } = status;
    public np_negotiation_t Negotiation { get; } = negotiation;
    public np_library_t* Library { get; } = library;

    public void Deconstruct(out int status, out np_negotiation_t negotiation, out np_library_t* library)
    {
        status = Status;
        negotiation = Negotiation;
        library = Library;
    }
}

/// <summary>One instance, called through its vtable.</summary>
internal sealed unsafe class RawInstance(np_transform_v1_t* vtable, np_instance_t* instance) : IDisposable
{
    public np_transform_v1_t* VTable { get; } = vtable;
    public np_instance_t* Handle { get; } = instance;

    public (int Status, string Message) Process(NativeRecords input, NativeRecords output)
    {
        var error = new ErrorBuffer();
        int status = VTable->process(Handle, input.Batch, output.Emitter, error.Pointer);
        return (status, error.ToString());
    }

    public (int Status, string Message) Flush(NativeRecords output)
    {
        var error = new ErrorBuffer();
        int status = VTable->flush(Handle, output.Emitter, error.Pointer);
        return (status, error.ToString());
    }

    /// <summary>Runs records through process then flush; returns the output as strings (asserting success).</summary>
    public List<string> Run(params string[] records)
    {
        using var input = NativeRecords.From(records);
        using var output = new NativeRecords();
        var (status, message) = Process(input, output);
        Assert.True(status == NpAbi.NP_OK, $"process returned {status}: {message}");
        (status, message) = Flush(output);
        Assert.True(status == NpAbi.NP_OK, $"flush returned {status}: {message}");
        return output.Strings();
    }

    public (int Status, np_transform_stats_t Stats) Stats()
    {
        var stats = new np_transform_stats_t { struct_size = (uint)sizeof(np_transform_stats_t) };
        Assert.True(VTable->stats is not null, "stats is NULL");
        int status = VTable->stats(Handle, &stats);
        return (status, stats);
    }

    public void Dispose() => VTable->destroy(Handle);
}

/// <summary>A caller-owned np_error_t with a 256-byte buffer (rule H5).</summary>
internal sealed unsafe class ErrorBuffer
{
    private readonly np_error_t* _error;

    public ErrorBuffer(int capacity = 256)
    {
        _error = (np_error_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_error_t));
        _error->message = (byte*)NativeMemory.AllocZeroed((nuint)capacity);
        _error->capacity = (ulong)capacity;
    }

    public np_error_t* Pointer => _error;
    public byte* Message => _error->message;
    public ulong Capacity => _error->capacity;
    public int Code => _error->code;
    public ulong Length => _error->len;

    public override string ToString() => Encoding.UTF8.GetString(_error->message, (int)_error->len);
}
