namespace NativePlugins.Cli.Options;

/// <summary>The verbs that can run plugins in worker processes (<c>--isolate</c>): run and demo.</summary>
public interface IIsolationOption
{
    /// <summary>Run every library in a worker process of its own (PluginIsolation.ProcessPerLibrary).</summary>
    bool Isolate { get; }

    /// <summary><c>--memory-limit</c>: each worker's IsolationOptions.ResidentMemoryLimitBytes (a memory cgroup), as
    /// typed ("256M"); null: none.</summary>
    string? MemoryLimit { get; }
}
