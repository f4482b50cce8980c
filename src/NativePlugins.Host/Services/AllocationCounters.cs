namespace NativePlugins.Hosting;

/// <summary>
/// Counters of the host allocator (<c>np_host_t.alloc</c>/<c>free</c>) for one scope: an instance, a library
/// (its own table plus all its instances) or a whole host. The conformance checker reads them for rule P4:
/// after <c>destroy</c> an instance's <see cref="LiveAllocations"/> must be 0, after <c>deinit</c> the library's.
/// All members are thread-safe.
/// </summary>
public sealed class AllocationCounters
{
    private readonly AllocationCounters? _parent;
    private long _live, _liveBytes, _total, _frees, _failed, _invalidFrees, _mismatchedFrees, _crossTableFrees;

    internal AllocationCounters(AllocationCounters? parent) => _parent = parent;

    /// <summary>Allocations not yet freed.</summary>
    public long LiveAllocations => Interlocked.Read(ref _live);

    /// <summary>Bytes allocated and not yet freed.</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>Successful allocations so far.</summary>
    public long TotalAllocations => Interlocked.Read(ref _total);

    /// <summary>Successful frees so far.</summary>
    public long TotalFrees => Interlocked.Read(ref _frees);

    /// <summary>Allocations refused (bad alignment, out of memory).</summary>
    public long FailedAllocations => Interlocked.Read(ref _failed);

    /// <summary>Frees of pointers this host never allocated (or freed twice); the host ignores them (rule P4).</summary>
    public long InvalidFrees => Interlocked.Read(ref _invalidFrees);

    /// <summary>Frees whose size or alignment differ from the allocation's.</summary>
    public long MismatchedFrees => Interlocked.Read(ref _mismatchedFrees);

    /// <summary>Frees through another table than the one that allocated (e.g. allocated at <c>init</c>, freed by an instance).</summary>
    public long CrossTableFrees => Interlocked.Read(ref _crossTableFrees);

    /// <summary>A snapshot of all counters.</summary>
    public AllocationSnapshot Snapshot() => new(LiveAllocations, LiveBytes, TotalAllocations, TotalFrees,
        FailedAllocations, InvalidFrees, MismatchedFrees, CrossTableFrees);

    /// <inheritdoc />
    public override string ToString() => Snapshot().ToString();

    internal void OnAlloc(long bytes)
    {
        for (var c = this; c is not null; c = c._parent)
        {
            Interlocked.Increment(ref c._live);
            Interlocked.Add(ref c._liveBytes, bytes);
            Interlocked.Increment(ref c._total);
        }
    }

    internal void OnFree(long bytes)
    {
        for (var c = this; c is not null; c = c._parent)
        {
            Interlocked.Decrement(ref c._live);
            Interlocked.Add(ref c._liveBytes, -bytes);
            Interlocked.Increment(ref c._frees);
        }
    }

    internal void OnFailed() { for (var c = this; c is not null; c = c._parent) Interlocked.Increment(ref c._failed); }

    internal void OnInvalidFree() { for (var c = this; c is not null; c = c._parent) Interlocked.Increment(ref c._invalidFrees); }

    internal void OnMismatchedFree() { for (var c = this; c is not null; c = c._parent) Interlocked.Increment(ref c._mismatchedFrees); }

    internal void OnCrossTableFree() { for (var c = this; c is not null; c = c._parent) Interlocked.Increment(ref c._crossTableFrees); }
}

/// <summary>A point-in-time copy of <see cref="AllocationCounters"/>.</summary>
public readonly record struct AllocationSnapshot(
    long LiveAllocations, long LiveBytes, long TotalAllocations, long TotalFrees,
    long FailedAllocations, long InvalidFrees, long MismatchedFrees, long CrossTableFrees);
