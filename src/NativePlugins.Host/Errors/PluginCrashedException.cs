using NativePlugins.Hosting.Isolation;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// The worker process of an isolated plugin (<see cref="PluginHostOptions.Isolation"/>) died during a call: a signal
/// (<see cref="Signal"/>, e.g. SIGSEGV, SIGABRT) or an exit (<see cref="ExitCode"/>). The host and every other
/// plugin are unaffected. The call had no effect for the caller: the output buffer holds exactly what it held
/// before, and the batch in flight is handed back in <see cref="UnprocessedInput"/> (the caller's input buffer is
/// untouched too), so it can be retried, skipped or dead-lettered; nothing of it was emitted, so nothing is emitted
/// twice. The instance is recreated at its next call under <see cref="IsolationOptions.Restart"/>; its plugin state
/// starts over. <see cref="PluginCallException.Status"/> is <c>NP_ERR_PLUGIN</c>.
/// </summary>
public class PluginCrashedException : PluginCallException
{
    internal PluginCrashedException(string operation, string pluginId, string filePath, WorkerExit exit,
        IReadOnlyList<byte[]> unprocessed, bool restartLimitReached, string? lastWords)
        : this(Format(operation, pluginId, filePath, exit.Describe(), restartLimitReached, lastWords), operation,
            pluginId, filePath, exit, unprocessed, restartLimitReached, lastWords)
    {
    }

    private protected PluginCrashedException(string message, string operation, string pluginId, string filePath,
        WorkerExit exit, IReadOnlyList<byte[]> unprocessed, bool restartLimitReached, string? lastWords)
        : base(message, operation, NpAbi.NP_ERR_PLUGIN, pluginId, filePath, exit.Describe())
    {
        Signal = exit.Signal;
        SignalName = exit.Signal is { } s ? ProcessSignals.Name(s) : null;
        ExitCode = exit.ExitCode;
        UnprocessedInput = unprocessed;
        RestartLimitReached = restartLimitReached;
        LastWords = lastWords;
        MemoryLimitReached = exit.OutOfMemory;
    }

    /// <summary>The signal that ended the worker (11 for SIGSEGV), or null when it exited or was killed for a
    /// missed deadline.</summary>
    public int? Signal { get; }

    /// <summary>The signal's name, e.g. <c>SIGSEGV</c>; null when <see cref="Signal"/> is.</summary>
    public string? SignalName { get; }

    /// <summary>The worker's exit code when the plugin called <c>exit</c>; null when a signal ended it.</summary>
    public int? ExitCode { get; }

    /// <summary>The records of the batch in flight, unprocessed, in order (copies: they stay valid). Empty for
    /// <c>create</c> and <c>flush</c>; for <c>flush</c> the records the plugin held back are lost with its state.</summary>
    public IReadOnlyList<byte[]> UnprocessedInput { get; }

    /// <summary>True when the instance has given up (<see cref="RestartPolicy.MaxConsecutiveRestarts"/>): it will
    /// not be recreated, and its calls throw this again.</summary>
    public bool RestartLimitReached { get; }

    /// <summary>True when the kernel's OOM killer ended the worker at its
    /// <see cref="IsolationOptions.ResidentMemoryLimitBytes"/> (its cgroup says so); <see cref="Signal"/> is 9 then.</summary>
    public bool MemoryLimitReached { get; }

    /// <summary>The last line the worker wrote to stderr before it died that was not a log line (an abort
    /// message, say), as one line; null if none.</summary>
    public string? LastWords { get; }

    private static string Format(string op, string id, string file, string how, bool limit, string? lastWords) =>
        $"{NativeText.OneLine(file)}: plugin '{NativeText.OneLine(id)}': {op} crashed the worker process: {how}" +
        (lastWords is null ? "" : $"; its last words on stderr: '{NativeText.OneLine(lastWords)}'") +
        (limit ? "; the restart limit is reached, the instance is not recreated" : "; the batch was not processed");
}
