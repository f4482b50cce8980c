using System.Runtime.CompilerServices;
using NativePlugins.Hosting.Threading;

namespace NativePlugins.Hosting.Instances;

/// <summary>How a call got through a <see cref="CallGate"/>; hand it back to <see cref="CallGate.Exit"/>.</summary>
internal enum CallPath
{
    /// <summary>The instance is disposed: no call may be made.</summary>
    Disposed,

    /// <summary>The host poisoned the instance (<see cref="CallGate.Poison"/>): no call may be made but destroy.</summary>
    Poisoned,

    /// <summary>The owner thread's path: plain loads and stores only.</summary>
    Owner,

    /// <summary>Any other thread: an atomic in-flight count, and the serializing lock for single-threaded plugins.</summary>
    Shared,
}

/// <summary>
/// Guards every call into one plugin instance (of <c>np.transform/1</c>, <see cref="TransformInstance"/>, or of a
/// host-registered interface, <see cref="NativeInstance"/>), at the cost of a few plain loads and stores for the
/// thread that uses the instance. It gives three guarantees:
/// <list type="number">
/// <item>calls on an instance of an <c>NP_THREADING_SINGLE</c> plugin never overlap (rule H4);</item>
/// <item><c>destroy</c> runs exactly once, after the last call in flight returned, whichever thread disposes
/// (a call that starts after disposal is refused);</item>
/// <item>the owner thread (the first to call) pays no atomic instruction and no lock: the host's per-call
/// overhead is then within a few nanoseconds of a C host's, which does no such bookkeeping at all.</item>
/// </list>
/// How: the owner marks itself inside with <see cref="_ownerDepth"/> (plain stores; a depth, because a plugin's
/// callback may call the instance again on the same thread, which a reentrant lock would allow too). Other
/// threads count themselves in <see cref="_shared"/> with interlocked operations. A single-threaded plugin used
/// from a second thread, and disposal, revoke the owner bias (<see cref="OwnerBias"/>); after that every call of a
/// single-threaded plugin takes the lock, once the owner's call in flight (if any) has returned.
/// Whoever leaves last after disposal (the disposer, the owner, or a shared caller) destroys the instance.
/// </summary>
internal sealed class CallGate(bool serialize, Action destroy)
{
    private const int Live = 0, Disposing = 1, Destroyed = 2;

    private OwnerBias _bias;
    private int _ownerDepth;
    private int _shared;
    private int _state;
    private int _poisoned;
    private readonly Lock? _serial = serialize ? new Lock() : null;
    private readonly Action _destroy = destroy;

    /// <summary>True once <see cref="Dispose"/> ran (destroy itself may still wait for calls in flight).</summary>
    public bool IsDisposed => Volatile.Read(ref _state) != Live;

    /// <summary>True once the owner bias was revoked for good (for tests and diagnostics).</summary>
    internal bool IsBiasRevoked => _bias.IsRevoked;

    /// <summary>Enters a call. <see cref="CallPath.Disposed"/> or <see cref="CallPath.Poisoned"/> (both below
    /// <see cref="CallPath.Owner"/>, so one compare tells): make no call (and do not call <see cref="Exit"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CallPath Enter(int thread)
    {
        if (_bias.IsOwner(thread))
        {
            Volatile.Write(ref _ownerDepth, _ownerDepth + 1);
            if (_bias.StillOwner(thread)) return CallPath.Owner;
            LeaveOwner(); // revoked between the two reads: undo, then go the shared way
        }
        return EnterShared(thread);
    }

    /// <summary>Leaves a call entered with <paramref name="path"/> (never <see cref="CallPath.Disposed"/> or
    /// <see cref="CallPath.Poisoned"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(int thread, CallPath path)
    {
        if (path == CallPath.Owner)
        {
            Volatile.Write(ref _ownerDepth, _ownerDepth - 1);
            if (!_bias.StillOwner(thread)) OwnerLeftRevoked(); // revoked during the call: a disposer may wait on us
        }
        else
        {
            LeaveShared();
        }
    }

    /// <summary>True once <see cref="Poison"/> ran.</summary>
    public bool IsPoisoned => Volatile.Read(ref _poisoned) != 0;

    /// <summary>Refuses every later call (<see cref="CallPath.Poisoned"/>) while destroy stays possible: the host
    /// found the plugin's memory suspect (it wrote past a buffer). Costs the owner's fast path nothing: the bias is
    /// revoked, so every later call takes the shared path, which tests the flag.</summary>
    public void Poison(int thread)
    {
        Volatile.Write(ref _poisoned, 1);
        _bias.Revoke(thread);
    }

    /// <summary>Refuses new calls; destroys now if no call is in flight, else when the last one leaves. Idempotent.</summary>
    public void Dispose(int thread)
    {
        if (Interlocked.CompareExchange(ref _state, Disposing, Live) != Live) return;
        _bias.Revoke(thread);
        TryDestroy();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CallPath EnterShared(int thread)
    {
        // The first call of an instance makes its thread the owner.
        if (_bias.TryClaim(thread)) return Enter(thread);

        Interlocked.Increment(ref _shared); // a full fence: pairs with Dispose's compare-exchange on _state
        if (Volatile.Read(ref _state) != Live)
        {
            LeaveSharedCount();
            return CallPath.Disposed;
        }
        if (Volatile.Read(ref _poisoned) != 0)
        {
            LeaveSharedCount();
            return CallPath.Poisoned;
        }
        if (_serial is null) return CallPath.Shared;
        try
        {
            // A single-threaded plugin used from a second thread: from now on every call takes the lock, and none
            // may start before the owner's call in flight returned. The former owner itself skips that wait: its
            // call in flight is further up its own stack (a reentrant call from a plugin callback).
            _bias.Revoke(thread);
            if (_bias.FormerOwner != thread)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref _ownerDepth) != 0) spin.SpinOnce();
            }
            _serial.Enter();
        }
        catch
        {
            LeaveSharedCount();
            throw;
        }
        return CallPath.Shared;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LeaveOwner()
    {
        Volatile.Write(ref _ownerDepth, _ownerDepth - 1);
        OwnerLeftRevoked();
    }

    /// <summary>The owner left after its bias was revoked. A fence makes its depth store visible before it looks
    /// at the bias again; then it waits for the revocation to finish, so that it and the revoker cannot both miss
    /// the last exit (each either sees the other's store or is seen).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OwnerLeftRevoked()
    {
        Interlocked.MemoryBarrier();
        _bias.WaitRevoked();
        TryDestroy();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LeaveShared()
    {
        _serial?.Exit();
        LeaveSharedCount();
    }

    private void LeaveSharedCount()
    {
        if (Interlocked.Decrement(ref _shared) == 0) TryDestroy();
    }

    /// <summary>Destroys the instance when it is disposed and nothing is in flight. The owner's depth is read only
    /// after revocation finished, when every marker it published is visible.</summary>
    private void TryDestroy()
    {
        if (Volatile.Read(ref _state) != Disposing || !_bias.IsRevoked ||
            Volatile.Read(ref _ownerDepth) != 0 || Volatile.Read(ref _shared) != 0)
            return;
        if (Interlocked.CompareExchange(ref _state, Destroyed, Disposing) == Disposing) _destroy();
    }
}
