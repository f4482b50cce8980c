using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// The np.transform/1 vtable of one plugin, read per rule H2 (stats only when struct_size covers it), with thin
/// wrappers that manage the native config string. Calls go straight to the plugin: the checks decide what to pass,
/// including NULLs.
/// </summary>
internal sealed unsafe class TransformApi
{
    private readonly np_transform_v1_t* _vtable;

    public TransformApi(IntPtr vtable)
    {
        _vtable = (np_transform_v1_t*)vtable;
        StructSize = _vtable->struct_size;
        HasStats = StructSize >= (uint)sizeof(np_transform_v1_t) && _vtable->stats != null;
    }

    public uint StructSize { get; }

    /// <summary>True when the vtable has the optional <c>stats</c> (@since 1.1) and it is not NULL.</summary>
    public bool HasStats { get; }

    public bool IsComplete =>
        StructSize >= LibrarySnapshot.TransformSizeAt10 && _vtable->create != null && _vtable->destroy != null &&
        _vtable->process != null && _vtable->flush != null;

    /// <summary>create with a UTF-8 config (copied into native memory for the call only, as the ABI allows).</summary>
    public int Create(np_host_t* host, byte[] config, np_instance_t** instance, np_error_t* error)
    {
        var p = (byte*)NativeMemory.Alloc((nuint)Math.Max(config.Length, 1));
        try
        {
            config.CopyTo(new Span<byte>(p, config.Length));
            var s = new np_str_t { ptr = config.Length == 0 ? null : p, len = (ulong)config.Length };
            return _vtable->create(host, s, instance, error);
        }
        finally
        {
            // Filled before it is freed, so that a plugin that kept the pointer reads garbage, not the config.
            new Span<byte>(p, Math.Max(config.Length, 1)).Fill(0xCC);
            NativeMemory.Free(p);
        }
    }

    public int Create(np_host_t* host, string config, np_instance_t** instance, np_error_t* error) =>
        Create(host, Encoding.UTF8.GetBytes(config), instance, error);

    /// <summary>create with a config given as a raw np_str_t (for a config in a mapping that is taken away).</summary>
    public int CreateRaw(np_host_t* host, np_str_t config, np_instance_t** instance, np_error_t* error) =>
        _vtable->create(host, config, instance, error);

    public void Destroy(np_instance_t* instance) => _vtable->destroy(instance);

    public int Process(np_instance_t* instance, np_batch_t* batch, np_emitter_t* emitter, np_error_t* error) =>
        _vtable->process(instance, batch, emitter, error);

    public int Flush(np_instance_t* instance, np_emitter_t* emitter, np_error_t* error) =>
        _vtable->flush(instance, emitter, error);

    /// <summary>[leaf] stats, inside the host-call guard (rule P11).</summary>
    public int Stats(np_instance_t* instance, np_transform_stats_t* stats)
    {
        using (HostCallGuard.Enter("stats, a [leaf] function")) return _vtable->stats(instance, stats);
    }
}
