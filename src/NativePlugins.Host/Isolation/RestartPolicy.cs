namespace NativePlugins.Hosting;

/// <summary>
/// When an isolated instance whose worker crashed, exited or missed its deadline is recreated. The instance is
/// recreated, with its config, at its next call (so the failed call returns at once with its typed error); before
/// the n-th consecutive restart that call waits <c>InitialBackoff * BackoffMultiplier^(n-1)</c>, at most
/// <see cref="MaxBackoff"/>. A call that succeeds resets the count. After <see cref="MaxConsecutiveRestarts"/>
/// restarts without a success in between, the instance gives up: every further call throws the last fault again
/// (<see cref="PluginCrashedException.RestartLimitReached"/>). Each restart raises
/// <see cref="TransformInstance.Restarted"/>.
/// </summary>
public sealed record RestartPolicy
{
    /// <summary>Restarts without a successful call in between before the instance gives up. Default 5; 0 never
    /// restarts.</summary>
    public int MaxConsecutiveRestarts { get; init; } = 5;

    /// <summary>The wait before the first restart after a fault. Default 100 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The wait grows by this factor per consecutive restart. Default 2.</summary>
    public double BackoffMultiplier { get; init; } = 2;

    /// <summary>The longest wait. Default 10 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The default policy: 5 restarts, from 100 ms doubling to 10 s.</summary>
    public static RestartPolicy Default { get; } = new();

    /// <summary>Never restart: the first fault is final for the instance.</summary>
    public static RestartPolicy Never { get; } = new() { MaxConsecutiveRestarts = 0 };

    /// <summary>The wait before restart number <paramref name="consecutive"/> (1-based).</summary>
    internal TimeSpan BackoffBefore(int consecutive)
    {
        if (consecutive <= 1 || InitialBackoff <= TimeSpan.Zero) return InitialBackoff < TimeSpan.Zero ? TimeSpan.Zero : InitialBackoff;
        double ms = InitialBackoff.TotalMilliseconds * Math.Pow(BackoffMultiplier, consecutive - 1);
        return ms >= MaxBackoff.TotalMilliseconds || double.IsNaN(ms) ? MaxBackoff : TimeSpan.FromMilliseconds(ms);
    }
}
