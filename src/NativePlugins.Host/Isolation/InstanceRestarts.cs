namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The restart bookkeeping of one isolated instance under its <see cref="RestartPolicy"/>, shared by transforms
/// (<see cref="IsolatedTransform"/>) and instances of a host's own interfaces (<see cref="IsolatedInstance"/>): how many
/// deaths in a row, the last one, whether the instance gave up, the backoff before the next recreation, and the
/// restarts so far. Not thread-safe: the owner calls it under its own lock (<see cref="Total"/> may be read anywhere).
/// </summary>
internal sealed class InstanceRestarts(RestartPolicy policy)
{
    private int _total;

    /// <summary>Deaths since the last successful call.</summary>
    public int Consecutive { get; private set; }

    /// <summary>The last death (of a call, of the worker between calls, or of a recreation).</summary>
    public WorkerDiedException? LastDeath { get; private set; }

    /// <summary>True once more than <see cref="RestartPolicy.MaxConsecutiveRestarts"/> deaths came in a row: the
    /// instance is not recreated again.</summary>
    public bool GaveUp { get; private set; }

    /// <summary>Recreations so far.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Counts a death; true when the instance gives up with it.</summary>
    public bool Died(WorkerDiedException died)
    {
        Consecutive++;
        LastDeath = died;
        GaveUp = Consecutive > policy.MaxConsecutiveRestarts;
        return GaveUp;
    }

    /// <summary>A call succeeded: the next death starts a new run.</summary>
    public void Succeeded() => Consecutive = 0;

    /// <summary>The policy's wait before the next recreation.</summary>
    public TimeSpan Backoff => policy.BackoffBefore(Math.Max(1, Consecutive));

    /// <summary>Counts a recreation; returns its number.</summary>
    public int Recreated() => Interlocked.Increment(ref _total);
}
