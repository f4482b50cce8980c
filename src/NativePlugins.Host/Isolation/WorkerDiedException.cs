namespace NativePlugins.Hosting.Isolation;

/// <summary>Internal: the worker died during a request, or was killed for missing its deadline. Callers turn it
/// into the public <see cref="PluginCrashedException"/> / <see cref="PluginTimeoutException"/> (or a load refusal).</summary>
internal sealed class WorkerDiedException(WorkerExit exit, string? lastWords, TimeSpan? missedDeadline)
    : Exception(exit.Describe())
{
    public WorkerExit Exit { get; } = exit;

    public string? LastWords { get; } = lastWords;

    /// <summary>Non-null when the host killed the worker for missing this deadline.</summary>
    public TimeSpan? MissedDeadline { get; } = missedDeadline;
}
