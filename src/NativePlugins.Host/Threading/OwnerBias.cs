using System.Runtime.CompilerServices;

namespace NativePlugins.Hosting.Threading;

/// <summary>
/// Biases an object towards the one thread that uses it, so that thread's calls need no atomic instruction.
/// </summary>
/// <remarks>
/// <para>Why: an uncontended <c>lock cmpxchg</c> costs more than a whole call into a trivial plugin function, and
/// a C host pays none (it leaves thread safety to its caller). Almost every instance and buffer is used by one
/// thread, so that thread ("the owner") takes a path of plain loads and stores, and every other thread takes an
/// atomic path after revoking the bias once. This is the asymmetric Dekker pattern the runtime itself uses
/// (<see cref="Interlocked.MemoryBarrierProcessWide"/>): the owner publishes "I am inside" with a plain store and
/// then re-reads the owner field; the revoker swaps the owner field atomically and then runs a process-wide
/// barrier, which drains the owner's store buffer. After the barrier either the revoker sees the owner's marker,
/// or the owner's re-read sees the revocation: never neither.</para>
/// <para>States of the owner field: <see cref="Unclaimed"/> (no owner yet: the first caller claims it), a managed
/// thread id (&gt; 0), <see cref="Revoking"/> while the barrier runs, <see cref="Revoked"/> for good. Revocation
/// is final: an object used from several threads stays on the atomic path.</para>
/// <para>A mutable struct: keep it in a non-readonly field and call it in place.</para>
/// </remarks>
internal struct OwnerBias
{
    public const int Unclaimed = 0, Revoking = -1, Revoked = -2;

    [ThreadStatic] private static int t_token;

    /// <summary>This thread's id (the managed thread id, always &gt; 0), from a thread-static the JIT reads inline:
    /// <see cref="Environment.CurrentManagedThreadId"/> is an out-of-line call, as costly as the rest of the path.</summary>
    public static int CurrentThread
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int token = t_token;
            return token != 0 ? token : InitCurrentThread();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int InitCurrentThread() => t_token = Environment.CurrentManagedThreadId;

    private int _owner;
    private int _formerOwner;

    /// <summary>Fast-path test (a plain load): true when <paramref name="thread"/> owns the object. The caller
    /// must publish its marker and then confirm with <see cref="StillOwner"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool IsOwner(int thread) => _owner == thread;

    /// <summary>The re-read after the owner published its marker (a plain load on x86-64; volatile so that the
    /// JIT keeps it after the marker's store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool StillOwner(int thread) => Volatile.Read(ref _owner) == thread;

    /// <summary>True once revocation finished: from then on, what the former owner published is visible.</summary>
    public bool IsRevoked => Volatile.Read(ref _owner) == Revoked;

    /// <summary>The thread that owned the object before revocation (0 if nobody had claimed it). Valid once
    /// <see cref="IsRevoked"/>.</summary>
    public readonly int FormerOwner => _formerOwner;

    /// <summary>Waits until a revocation in progress finished (it takes microseconds).</summary>
    public void WaitRevoked()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _owner) == Revoking) spin.SpinOnce();
    }

    /// <summary>Makes <paramref name="thread"/> the owner if nobody is and the bias was never revoked.</summary>
    public bool TryClaim(int thread) =>
        Volatile.Read(ref _owner) == Unclaimed && Interlocked.CompareExchange(ref _owner, thread, Unclaimed) == Unclaimed;

    /// <summary>Ends the bias for good and returns once every marker the owner published before is visible to
    /// this thread. Costs a process-wide barrier (microseconds) once per object, when a second thread shows up
    /// or the object is disposed; nothing when the revoking thread is the owner itself.</summary>
    public void Revoke(int thread)
    {
        var spin = new SpinWait();
        while (true)
        {
            int owner = Volatile.Read(ref _owner);
            if (owner == Revoked) return;
            if (owner == Revoking)
            {
                spin.SpinOnce(); // another thread is running the barrier
                continue;
            }
            if (Interlocked.CompareExchange(ref _owner, Revoking, owner) != owner) continue;
            // The owner's own stores are in program order for itself; any other owner may have a marker store
            // still sitting in its core's store buffer.
            if (owner > 0 && owner != thread) Interlocked.MemoryBarrierProcessWide();
            _formerOwner = owner;
            // A full fence, not a release store: the revoker reads the owner's marker right after this, and a
            // former owner that found itself revoked reads this field after publishing its marker (Dekker).
            Interlocked.Exchange(ref _owner, Revoked);
            return;
        }
    }
}
