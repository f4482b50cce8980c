using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>How a <see cref="TestEmitter"/> behaves.</summary>
internal sealed record EmitterOptions
{
    /// <summary>Bytes available at data before the first reserve.</summary>
    public ulong DataCapacity { get; init; } = 64 * 1024;

    /// <summary>Entries available at offsets before the first reserve (at least 1 + prefilled records).</summary>
    public ulong OffsetsCapacity { get; init; } = 1024;

    /// <summary>Records already in the emitter before the call (to see that the plugin only appends).</summary>
    public IReadOnlyList<byte[]> Prefill { get; init; } = [];

    /// <summary>Grow by exactly what reserve asks for (so that a plugin that writes more than it reserved lands in the
    /// guard bytes), instead of doubling.</summary>
    public bool ExactGrowth { get; init; }

    /// <summary>Move both buffers on every reserve, releasing the old ones (so a plugin that keeps a pointer from
    /// before reserve writes into a released buffer, which the emitter watches).</summary>
    public bool AlwaysMove { get; init; }

    /// <summary>Reserve calls that succeed before every later one fails with NP_ERR_OUT_OF_MEMORY; null never fails.</summary>
    public int? FailReserveAfter { get; init; }

    /// <summary>The roomy emitter most checks use: no reserve needed for ordinary output.</summary>
    public static EmitterOptions Roomy { get; } = new();

    /// <summary>Room for nothing: every record needs a reserve, which grows exactly and moves the buffers.</summary>
    public static EmitterOptions Tiny { get; } = new() { DataCapacity = 0, OffsetsCapacity = 1, ExactGrowth = true, AlwaysMove = true };
}

/// <summary>
/// A host-owned np_emitter_t that checks the emitter protocol (rule P10). Every buffer is followed by guard bytes, so
/// a write past capacity is seen; buffers released by reserve are kept, filled with a pattern, so a write through a
/// pointer from before reserve is seen; reserve records which thread called it, whether it came after the call had
/// returned, and whether the plugin kept going after a failed reserve.
/// </summary>
internal sealed unsafe class TestEmitter : IDisposable
{
    public const int GuardBytes = 64 * 1024;
    private const byte DataGuard = 0xEE;
    private const ulong OffsetGuard = 0xEEEE_EEEE_EEEE_EEEEUL;
    private const byte ReleasedFill = 0xDD;
    /// <summary>Reserve refuses growth beyond these (a plugin asking for more is broken).</summary>
    private const ulong MaxData = 512UL << 20, MaxOffsets = 64UL << 20;

    private static readonly ConcurrentDictionary<long, TestEmitter> s_live = new();
    private static long s_nextId;

    private readonly long _id;
    private readonly EmitterOptions _options;
    private readonly List<(IntPtr Ptr, ulong Bytes, string What)> _released = [];
    private readonly List<string> _protocolProblems = [];
    private readonly byte[] _prefillData;
    private readonly ulong[] _prefillOffsets;
    private int _ownerThread;
    private bool _closed;

    public TestEmitter(EmitterOptions? options = null)
    {
        _options = options ?? EmitterOptions.Roomy;
        _id = Interlocked.Increment(ref s_nextId);
        _prefillData = _options.Prefill.SelectMany(r => r).ToArray();
        _prefillOffsets = new ulong[_options.Prefill.Count + 1];
        for (var i = 0; i < _options.Prefill.Count; i++)
            _prefillOffsets[i + 1] = _prefillOffsets[i] + (ulong)_options.Prefill[i].Length;

        Ptr = (np_emitter_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_emitter_t));
        Ptr->struct_size = (uint)sizeof(np_emitter_t);
        var dataCapacity = Math.Max(_options.DataCapacity, (ulong)_prefillData.Length);
        var offsetsCapacity = Math.Max(_options.OffsetsCapacity, (ulong)_prefillOffsets.Length);
        Ptr->data = AllocData(dataCapacity);
        Ptr->data_capacity = dataCapacity;
        Ptr->offsets = AllocOffsets(offsetsCapacity);
        Ptr->offsets_capacity = offsetsCapacity;
        _prefillData.CopyTo(new Span<byte>(Ptr->data, _prefillData.Length));
        _prefillOffsets.CopyTo(new Span<ulong>(Ptr->offsets, _prefillOffsets.Length));
        Ptr->data_used = (ulong)_prefillData.Length;
        Ptr->count = (ulong)_options.Prefill.Count;
        Ptr->reserve = &Reserve;
        Ptr->host_data = (void*)_id;
        s_live[_id] = this;
        Arm();
    }

    public np_emitter_t* Ptr { get; }

    public int ReserveCalls { get; private set; }
    public int FailedReserves { get; private set; }
    /// <summary>Reserve calls that came after one had failed in the same call (rule P10: stop after a failure).</summary>
    public int ReservesAfterFailure { get; private set; }
    public bool AnyReserveFailed => FailedReserves > 0;

    /// <summary>Makes the emitter ready for a call on the current thread (reserve from any other thread is a
    /// protocol problem).</summary>
    public void Arm()
    {
        _ownerThread = Environment.CurrentManagedThreadId;
        _closed = false;
    }

    /// <summary>Marks the end of the call that received the emitter: a later reserve is a protocol problem.</summary>
    public void Close() => _closed = true;

    /// <summary>Problems with how reserve was called (wrong thread, after the call returned, after a failure, bad
    /// arguments).</summary>
    public IReadOnlyList<string> ProtocolProblems => _protocolProblems;

    /// <summary>Invariant and bounds problems (rule P10, H5): guard bytes after data and offsets intact, offsets
    /// consistent, prefilled records untouched. Empty when the emitter is sound.</summary>
    public List<string> CapacityProblems()
    {
        var problems = new List<string>();
        var e = Ptr;
        for (var i = 0; i < GuardBytes; i++)
        {
            if (e->data[e->data_capacity + (ulong)i] != DataGuard)
            {
                problems.Add($"wrote past data_capacity ({e->data_capacity} bytes): guard byte {i} after the data buffer was overwritten");
                break;
            }
        }
        for (var i = 0; i < GuardBytes / 8; i++)
        {
            if (e->offsets[e->offsets_capacity + (ulong)i] != OffsetGuard)
            {
                problems.Add($"wrote past offsets_capacity ({e->offsets_capacity} entries): guard entry {i} after the offsets buffer was overwritten");
                break;
            }
        }
        if (e->data_used > e->data_capacity)
            problems.Add($"data_used {e->data_used} exceeds data_capacity {e->data_capacity} (bytes written without reserve)");
        if (e->count + 1 > e->offsets_capacity)
            problems.Add($"count {e->count} needs {e->count + 1} offsets but offsets_capacity is {e->offsets_capacity}");
        if (problems.Count > 0) return problems;
        if (e->offsets[0] != 0) problems.Add($"offsets[0] is {e->offsets[0]}, not 0");
        for (ulong i = 0; i < e->count; i++)
        {
            if (e->offsets[i + 1] < e->offsets[i])
            {
                problems.Add($"offsets decrease at record {i}: {e->offsets[i]} then {e->offsets[i + 1]}");
                break;
            }
        }
        if (e->offsets[e->count] != e->data_used)
            problems.Add($"offsets[count] is {e->offsets[e->count]} but data_used is {e->data_used}");
        if ((ulong)_prefillData.Length > 0)
        {
            if (e->count < (ulong)_options.Prefill.Count || e->data_used < (ulong)_prefillData.Length)
                problems.Add("count or data_used went below what the emitter held before the call (only append)");
            else if (!new ReadOnlySpan<byte>(e->data, _prefillData.Length).SequenceEqual(_prefillData) ||
                     !new ReadOnlySpan<ulong>(e->offsets, _prefillOffsets.Length).SequenceEqual(_prefillOffsets))
                problems.Add("records that were in the emitter before the call were rewritten (only append)");
        }
        return problems;
    }

    /// <summary>Buffers that reserve released and that were written afterwards (the plugin kept a data or offsets
    /// pointer from before reserve).</summary>
    public List<string> ReleasedBufferWrites()
    {
        var problems = new List<string>();
        foreach (var (ptr, bytes, what) in _released)
        {
            var span = new ReadOnlySpan<byte>((void*)ptr, (int)Math.Min(bytes, int.MaxValue));
            var at = span.IndexOfAnyExcept(ReleasedFill);
            if (at >= 0)
            {
                problems.Add($"wrote into the {what} buffer that reserve had replaced (byte {at}): a pointer from before reserve was used after it");
                break;
            }
        }
        return problems;
    }

    /// <summary>The records appended by the plugin (after any prefill). Call only when <see cref="CapacityProblems"/>
    /// is empty.</summary>
    public List<byte[]> Records()
    {
        var e = Ptr;
        var list = new List<byte[]>();
        for (var i = (ulong)_options.Prefill.Count; i < e->count; i++)
        {
            var start = e->offsets[i];
            var len = e->offsets[i + 1] - start;
            list.Add(new ReadOnlySpan<byte>(e->data + start, checked((int)len)).ToArray());
        }
        return list;
    }

    /// <summary>The records as the plugin describes them, also when it wrote past capacity into the guard bytes: null
    /// only when the offsets cannot be followed at all. For checks that look at content, not at bounds.</summary>
    public List<byte[]>? LenientRecords()
    {
        var e = Ptr;
        if (e->count + 1 > e->offsets_capacity + GuardBytes / 8 || e->data_used > e->data_capacity + GuardBytes) return null;
        if (e->offsets[0] != 0 || e->offsets[e->count] != e->data_used) return null;
        for (ulong i = 0; i < e->count; i++)
            if (e->offsets[i + 1] < e->offsets[i]) return null;
        return Records();
    }

    /// <summary>The records if the emitter is sound, or null (with the problems) when it is not.</summary>
    public List<byte[]>? TryRecords(out List<string> problems)
    {
        problems = CapacityProblems();
        return problems.Count == 0 ? Records() : null;
    }

    public void Dispose()
    {
        s_live.TryRemove(_id, out _);
        NativeMemory.Free(Ptr->data);
        NativeMemory.Free(Ptr->offsets);
        foreach (var (ptr, _, _) in _released) NativeMemory.Free((void*)ptr);
        _released.Clear();
        NativeMemory.Free(Ptr);
    }

    private static byte* AllocData(ulong capacity)
    {
        var p = (byte*)NativeMemory.AllocZeroed((nuint)(capacity + GuardBytes)); // zeroed: stale reads show as \x00, not noise
        new Span<byte>(p + capacity, GuardBytes).Fill(DataGuard);
        return p;
    }

    private static ulong* AllocOffsets(ulong capacity)
    {
        var p = (ulong*)NativeMemory.Alloc((nuint)(capacity * 8 + GuardBytes));
        new Span<ulong>(p + capacity, GuardBytes / 8).Fill(OffsetGuard);
        return p;
    }

    private void AddProblem(string problem)
    {
        if (_protocolProblems.Count < 16 && !_protocolProblems.Contains(problem)) _protocolProblems.Add(problem);
    }

    private void Release(void* ptr, ulong bytes, string what)
    {
        new Span<byte>(ptr, (int)bytes).Fill(ReleasedFill);
        _released.Add(((IntPtr)ptr, bytes, what));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_emitter_t* self, ulong extraBytes, ulong extraRecords)
    {
        if (self == null) return NpAbi.NP_ERR_INVALID_ARGUMENT;
        if (!s_live.TryGetValue((long)self->host_data, out var emitter) || emitter.Ptr != self)
            return NpAbi.NP_ERR_INVALID_ARGUMENT; // an emitter that no longer exists: nothing safe to do
        try
        {
            return emitter.OnReserve(extraBytes, extraRecords);
        }
        catch (OutOfMemoryException)
        {
            // An exception must never leave an UnmanagedCallersOnly method (the process would abort): a growth the
            // machine cannot back is a failed reserve.
            emitter.FailedReserves++;
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }
    }

    private int OnReserve(ulong extraBytes, ulong extraRecords)
    {
        ReserveCalls++;
        if (_closed) AddProblem("reserve was called after the call that received the emitter had returned");
        if (Environment.CurrentManagedThreadId != _ownerThread)
            AddProblem("reserve was called from another thread than the call that received the emitter");
        if (FailedReserves > 0) ReservesAfterFailure++;
        if (_closed || (_options.FailReserveAfter is { } ok && ReserveCalls > ok))
        {
            FailedReserves++;
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }

        var e = Ptr;
        // A plugin that already wrote past capacity has data_used > data_capacity; grow from what it claims.
        var needData = e->data_used + extraBytes;
        var needOffsets = e->count + 1 + extraRecords;
        if (needData < e->data_used || needOffsets < e->count || needData > MaxData || needOffsets > MaxOffsets)
        {
            FailedReserves++;
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }

        if (_options.AlwaysMove || needData > e->data_capacity)
        {
            var newCapacity = _options.ExactGrowth ? Math.Max(needData, e->data_capacity)
                                                   : Math.Max(needData, Math.Max(e->data_capacity * 2, 256));
            newCapacity = Math.Min(newCapacity, MaxData);
            var fresh = AllocData(newCapacity);
            var keep = Math.Min(e->data_used, e->data_capacity + GuardBytes);
            Buffer.MemoryCopy(e->data, fresh, newCapacity + GuardBytes, keep);
            Release(e->data, e->data_capacity + GuardBytes, "data");
            e->data = fresh;
            e->data_capacity = newCapacity;
        }
        if (_options.AlwaysMove || needOffsets > e->offsets_capacity)
        {
            var newCapacity = _options.ExactGrowth ? Math.Max(needOffsets, e->offsets_capacity)
                                                   : Math.Max(needOffsets, Math.Max(e->offsets_capacity * 2, 16));
            var fresh = AllocOffsets(newCapacity);
            var keep = Math.Min(e->count + 1, e->offsets_capacity + GuardBytes / 8);
            Buffer.MemoryCopy(e->offsets, fresh, (newCapacity * 8) + GuardBytes, keep * 8);
            Release(e->offsets, e->offsets_capacity * 8 + GuardBytes, "offsets");
            e->offsets = fresh;
            e->offsets_capacity = newCapacity;
        }
        return NpAbi.NP_OK;
    }
}
