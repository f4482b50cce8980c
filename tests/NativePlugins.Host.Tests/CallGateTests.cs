using System.Collections.Concurrent;
using NativePlugins.Hosting.Instances;

namespace NativePlugins.Host.Tests;

/// <summary>The per-instance call gate (rules H4 and H6 on the per-call path): the owner thread's calls take no
/// atomic instruction, yet destroy runs exactly once after the last call in flight, and single-threaded plugins
/// never see overlapping calls. Tests synchronize with events, never with sleeps that decide the outcome.</summary>
public class CallGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_first_caller_owns_the_gate_and_reentrant_calls_stay_on_the_owner_path()
    {
        var gate = new CallGate(serialize: true, destroy: () => { });
        int me = Environment.CurrentManagedThreadId;
        Assert.Equal(CallPath.Owner, gate.Enter(me));
        Assert.Equal(CallPath.Owner, gate.Enter(me)); // a plugin callback calling the instance again
        gate.Exit(me, CallPath.Owner);
        gate.Exit(me, CallPath.Owner);
        Assert.False(gate.IsBiasRevoked);
    }

    [Fact]
    public void Dispose_on_another_thread_while_the_owner_is_inside_destroys_only_after_the_owner_left()
    {
        int destroyed = 0, inside = 0, destroyedWhileInside = 0;
        var gate = new CallGate(serialize: true, destroy: () =>
        {
            if (Volatile.Read(ref inside) != 0) Interlocked.Increment(ref destroyedWhileInside);
            Interlocked.Increment(ref destroyed);
        });
        int me = Environment.CurrentManagedThreadId;
        Assert.Equal(CallPath.Owner, gate.Enter(me));
        Volatile.Write(ref inside, 1);

        var disposer = new Thread(() => gate.Dispose(Environment.CurrentManagedThreadId));
        disposer.Start();
        Assert.True(disposer.Join(Patience));
        Assert.True(gate.IsDisposed);
        Assert.Equal(0, Volatile.Read(ref destroyed)); // the owner's call is still in flight

        Volatile.Write(ref inside, 0);
        gate.Exit(me, CallPath.Owner);
        Assert.Equal(1, Volatile.Read(ref destroyed));
        Assert.Equal(0, destroyedWhileInside);
        Assert.Equal(CallPath.Disposed, gate.Enter(me));
        gate.Dispose(me);
        Assert.Equal(1, Volatile.Read(ref destroyed));
    }

    [Fact]
    public void A_second_thread_on_a_single_threaded_gate_waits_for_the_owners_call_to_return()
    {
        var gate = new CallGate(serialize: true, destroy: () => { });
        int me = Environment.CurrentManagedThreadId;
        Assert.Equal(CallPath.Owner, gate.Enter(me));

        using var entered = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            int t = Environment.CurrentManagedThreadId;
            var path = gate.Enter(t);
            entered.Set();
            gate.Exit(t, path);
        });
        other.Start();
        // The other thread revokes the bias first, then waits for the owner to leave.
        SpinWait.SpinUntil(() => gate.IsBiasRevoked, Patience);
        Assert.True(gate.IsBiasRevoked);
        Assert.False(entered.Wait(TimeSpan.FromMilliseconds(200)));

        // The former owner may still re-enter from inside its own call (a plugin callback): no deadlock.
        var nested = gate.Enter(me);
        Assert.Equal(CallPath.Shared, nested);
        gate.Exit(me, nested);
        Assert.False(entered.IsSet);

        gate.Exit(me, CallPath.Owner);
        Assert.True(entered.Wait(Patience));
        Assert.True(other.Join(Patience));
        var after = gate.Enter(me);
        Assert.Equal(CallPath.Shared, after); // revocation is final
        gate.Exit(me, after);
    }

    [Fact]
    public void A_thread_safe_gate_lets_the_owner_and_others_in_at_once_and_destroys_after_both()
    {
        int destroyed = 0;
        var gate = new CallGate(serialize: false, destroy: () => Interlocked.Increment(ref destroyed));
        int me = Environment.CurrentManagedThreadId;
        Assert.Equal(CallPath.Owner, gate.Enter(me));

        using var otherInside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            int t = Environment.CurrentManagedThreadId;
            var path = gate.Enter(t);
            Assert.Equal(CallPath.Shared, path);
            otherInside.Set();
            release.Wait(Patience);
            gate.Exit(t, path);
        });
        other.Start();
        Assert.True(otherInside.Wait(Patience)); // concurrent with the owner: no serialization
        Assert.False(gate.IsBiasRevoked);

        gate.Dispose(me);
        gate.Exit(me, CallPath.Owner);
        Assert.Equal(0, Volatile.Read(ref destroyed)); // the other call is still in flight
        release.Set();
        Assert.True(other.Join(Patience));
        Assert.Equal(1, Volatile.Read(ref destroyed));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Under_a_race_of_calls_and_dispose_destroy_runs_once_and_never_during_a_call(bool serialize)
    {
        for (int round = 0; round < 50; round++)
        {
            int inside = 0, overlap = 0, destroyed = 0, destroyedWhileInside = 0, callsAfterDestroy = 0;
            var gate = new CallGate(serialize, () =>
            {
                if (Volatile.Read(ref inside) != 0) Interlocked.Increment(ref destroyedWhileInside);
                Interlocked.Increment(ref destroyed);
            });
            using var go = new Barrier(4);
            var errors = new ConcurrentQueue<Exception>();
            var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
            {
                try
                {
                    int t = Environment.CurrentManagedThreadId;
                    go.SignalAndWait();
                    for (int i = 0; i < 2_000; i++)
                    {
                        var path = gate.Enter(t);
                        if (path == CallPath.Disposed) return;
                        if (Volatile.Read(ref destroyed) != 0) Interlocked.Increment(ref callsAfterDestroy);
                        if (Interlocked.Increment(ref inside) > 1 && serialize) Interlocked.Increment(ref overlap);
                        Thread.SpinWait(20);
                        Interlocked.Decrement(ref inside);
                        gate.Exit(t, path);
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            go.SignalAndWait();
            Thread.SpinWait(2_000 * (round % 7));
            gate.Dispose(Environment.CurrentManagedThreadId);
            Assert.All(threads, t => Assert.True(t.Join(Patience)));

            Assert.Empty(errors);
            Assert.Equal(1, destroyed);
            Assert.Equal(0, destroyedWhileInside);
            Assert.Equal(0, callsAfterDestroy);
            Assert.Equal(0, overlap);
        }
    }
}
