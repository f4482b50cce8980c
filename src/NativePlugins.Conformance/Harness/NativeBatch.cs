using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// An np_batch_t in native memory. Ordinary batches live on the native heap; <see cref="Mapped"/> batches live in
/// their own page mappings, which <see cref="Unmap"/> takes away after the call, so that a plugin that kept a pointer
/// into its input (rule P4) faults instead of silently reading stale bytes.
/// </summary>
internal sealed unsafe class NativeBatch : IDisposable
{
    private readonly List<(IntPtr Ptr, nuint Length)> _mappings = [];
    private readonly List<IntPtr> _heap = [];

    private NativeBatch() { }

    public np_batch_t* Ptr { get; private set; }
    public ulong Count => Ptr->count;
    public ulong Bytes { get; private set; }

    /// <summary>A well-formed batch of <paramref name="records"/>.</summary>
    public static NativeBatch From(IReadOnlyList<byte[]> records, bool mapped = false)
    {
        var offsets = new ulong[records.Count + 1];
        for (var i = 0; i < records.Count; i++) offsets[i + 1] = offsets[i] + (ulong)records[i].Length;
        var data = new byte[offsets[^1]];
        var at = 0;
        foreach (var r in records) { r.CopyTo(data, at); at += r.Length; }
        return Raw(data, offsets, (ulong)records.Count, mapped);
    }

    /// <summary>A batch exactly as given, also a malformed one: <paramref name="data"/> or <paramref name="offsets"/>
    /// null means a NULL pointer in the struct.</summary>
    public static NativeBatch Raw(byte[]? data, ulong[]? offsets, ulong count, bool mapped = false)
    {
        var batch = new NativeBatch();
        batch.Ptr = (np_batch_t*)batch.Allocate(sizeof(np_batch_t), mapped);
        if (data is not null)
        {
            var p = (byte*)batch.Allocate(Math.Max(data.Length, 1), mapped);
            data.CopyTo(new Span<byte>(p, data.Length));
            batch.Ptr->data = p;
            batch.Bytes = (ulong)data.Length;
        }
        if (offsets is not null)
        {
            var p = (ulong*)batch.Allocate(Math.Max(offsets.Length, 1) * 8, mapped);
            offsets.CopyTo(new Span<ulong>(p, offsets.Length));
            batch.Ptr->offsets = p;
        }
        batch.Ptr->count = count;
        return batch;
    }

    public static NativeBatch Mapped(IReadOnlyList<byte[]> records) => From(records, mapped: true);

    /// <summary>Takes the pages of a mapped batch away: any later access by the plugin faults (SIGSEGV).</summary>
    public void Unmap()
    {
        foreach (var (ptr, length) in _mappings) Libc.munmap((void*)ptr, length);
        _mappings.Clear();
        Ptr = null;
    }

    public void Dispose()
    {
        Unmap();
        foreach (var p in _heap) NativeMemory.Free((void*)p);
        _heap.Clear();
    }

    private void* Allocate(long bytes, bool mapped)
    {
        if (mapped)
        {
            var (p, length) = Libc.MapAnonymous(bytes);
            _mappings.Add((p, length));
            return (void*)p;
        }
        var h = NativeMemory.AllocZeroed((nuint)Math.Max(bytes, 1));
        _heap.Add((IntPtr)h);
        return h;
    }
}
