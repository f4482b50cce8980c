using NativePlugins.Hosting.Isolation;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// An isolated plugin's call missed its deadline (<see cref="IsolationOptions.CallTimeout"/>): the host killed the
/// worker process (SIGKILL). Everything <see cref="PluginCrashedException"/> says about the output, the batch in
/// flight and the restart holds.
/// </summary>
public sealed class PluginTimeoutException : PluginCrashedException
{
    internal PluginTimeoutException(string operation, string pluginId, string filePath, TimeSpan deadline,
        WorkerExit exit, IReadOnlyList<byte[]> unprocessed, bool restartLimitReached)
        : base(Format(operation, pluginId, filePath, deadline, restartLimitReached), operation, pluginId, filePath,
            exit, unprocessed, restartLimitReached, null)
    {
        Deadline = deadline;
    }

    /// <summary>The deadline the call missed.</summary>
    public TimeSpan Deadline { get; }

    private static string Format(string op, string id, string file, TimeSpan deadline, bool limit) =>
        $"{NativeText.OneLine(file)}: plugin '{NativeText.OneLine(id)}': {op} missed its deadline of " +
        $"{deadline.TotalMilliseconds:0.###} ms; the worker process was killed" +
        (limit ? "; the restart limit is reached, the instance is not recreated" : "; the batch was not processed");
}
