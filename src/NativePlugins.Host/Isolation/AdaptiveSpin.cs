using System.Diagnostics;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The host's short wait on the worker's reply before it blocks in poll (npw_protocol.h, "Wake-ups"; the worker's
/// side is native/worker/src/npw_wake.c, the same rule). A reply seen while spinning keeps or raises the budget (up
/// to <see cref="MaxNanoseconds"/>), a spin that ran out halves it, down to zero; at zero, one wait in
/// <see cref="ProbeEvery"/> probes with <see cref="MinNanoseconds"/>. So short calls into a worker running on
/// another CPU return without a system call or a wake-up, and long calls, or a worker that shares this thread's
/// CPU (where spinning only keeps it from running), cost a few halvings, then almost nothing (also on a one-CPU
/// machine, or a host pinned to one CPU whose worker was moved to another, which is why the rule is adaptive and
/// not a CPU count). One per worker, used under its gate.
/// </summary>
internal unsafe struct AdaptiveSpin
{
    public const long MinNanoseconds = 2_000;
    public const long MaxNanoseconds = 50_000;
    public const uint ProbeEvery = 32;

    private long _budget; // nanoseconds
    private uint _idle;

    /// <summary>Spins until <c>*word == expected</c> or the budget is spent; true when it saw the value.</summary>
    public bool Wait(uint* word, uint expected)
    {
        long budget = _budget;
        if (budget == 0)
        {
            if (++_idle % ProbeEvery != 0) return false;
            budget = MinNanoseconds;
        }
        long start = Stopwatch.GetTimestamp();
        long limit = budget * Stopwatch.Frequency / 1_000_000_000;
        for (; ; )
        {
            // The clock is read once per 64 looks: a look is one load, a clock read may be a system call on a VM.
            for (int i = 0; i < 64; i++)
            {
                if (Volatile.Read(ref *word) == expected)
                {
                    long took = (Stopwatch.GetTimestamp() - start) * 1_000_000_000 / Stopwatch.Frequency;
                    long want = Math.Clamp(took * 2, MinNanoseconds, MaxNanoseconds);
                    if (want > _budget) _budget = want;
                    return true;
                }
                Thread.SpinWait(1);
            }
            if (Stopwatch.GetTimestamp() - start >= limit)
            {
                _budget /= 2;
                if (_budget < MinNanoseconds) _budget = 0;
                return false;
            }
        }
    }
}
