using System.Diagnostics;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The host's wait on the worker's reply before it blocks in poll: the rule of npw_protocol.h, "Wake-ups", the same
/// as the worker's own wait for a request (native/worker/src/npw_wake.c). Wait actively for twice the average of the
/// last waits (spun or blocked, from the request to the reply) plus <see cref="WorkerProtocol.SpinSlackNanoseconds"/>,
/// and not at all when that average is past the limit (<see cref="IsolationOptions.MaxSpin"/>), where a wake-up
/// costs little beside the call. Actively means a pause loop while the worker runs on another CPU, and a yield loop
/// while it was last seen on this thread's CPU, where a spin would only keep it from running and a yield hands it
/// the CPU without a blocking wait's wake-up. So the calls of a pipeline into a worker on another CPU return without
/// a system call or a wake-up as long as a batch takes less than the limit. One per worker, used under its gate.
/// </summary>
internal unsafe struct AdaptiveSpin
{
    private readonly long _maxNanoseconds;
    private long _averageNanoseconds;
    private long _start;

    public AdaptiveSpin(TimeSpan max) => _maxNanoseconds = Math.Max(0, (long)(max.TotalMilliseconds * 1_000_000));

    /// <summary>NPW_SPIN_MAX as the worker's --spin-ns argument.</summary>
    public readonly long MaxNanoseconds => _maxNanoseconds;

    /// <summary>This thread's CPU as the protocol carries it (number + 1, 0 unknown).</summary>
    public static uint CurrentCpu()
    {
        int cpu = WorkerLibc.SchedGetCpu();
        return cpu < 0 ? 0u : (uint)cpu + 1;
    }

    /// <summary>How long to spin: the rule both sides share (npw_spin_budget).</summary>
    public static long Budget(long expectNanoseconds, long maxNanoseconds, uint myCpu, uint otherCpu)
    {
        if (maxNanoseconds <= 0 || expectNanoseconds > maxNanoseconds) return 0;
        return Math.Min(expectNanoseconds * 2 + WorkerProtocol.SpinSlackNanoseconds, maxNanoseconds);
    }

    /// <summary>The average after a wait that took <paramref name="took"/> (npw_spin_average).</summary>
    public static long Average(long average, long took) => average == 0 ? took : (average * 3 + took) / 4;

    /// <summary>Marks the request as sent: the wait's clock starts here.</summary>
    public void Started() => _start = Stopwatch.GetTimestamp();

    /// <summary>The reply came (spun or blocked): the average learns how long the wait took.</summary>
    public void Finished()
    {
        long took = (Stopwatch.GetTimestamp() - _start) * 1_000_000_000 / Stopwatch.Frequency;
        _averageNanoseconds = Average(_averageNanoseconds, took);
    }

    /// <summary>Spins until <c>*word == expected</c> or the budget is spent; true when it saw the value.</summary>
    public readonly bool Wait(uint* word, uint expected, uint myCpu, uint workerCpu)
    {
        long budget = Budget(_averageNanoseconds, _maxNanoseconds, myCpu, workerCpu);
        if (budget == 0) return false;
        long limit = budget * Stopwatch.Frequency / 1_000_000_000;
        if (myCpu != 0 && myCpu == workerCpu)
        {
            // The worker runs on this CPU: hand it the CPU until it answers.
            for (; ; )
            {
                if (Volatile.Read(ref *word) == expected) return true;
                Thread.Yield();
                if (Volatile.Read(ref *word) == expected) return true;
                if (Stopwatch.GetTimestamp() - _start >= limit) return false;
            }
        }
        for (; ; )
        {
            // The clock is read once per 64 looks: a look is one load, a clock read may be a system call on a VM.
            for (int i = 0; i < 64; i++)
            {
                if (Volatile.Read(ref *word) == expected) return true;
                Thread.SpinWait(1);
            }
            if (Stopwatch.GetTimestamp() - _start >= limit) return false;
        }
    }
}
