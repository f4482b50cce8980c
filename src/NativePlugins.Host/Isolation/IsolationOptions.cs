namespace NativePlugins.Hosting;

/// <summary>
/// Settings of the worker processes of isolated libraries (<see cref="PluginHostOptions.Isolation"/>). Immutable.
/// The limits apply to each worker process (setrlimit before the library is loaded); null leaves the host's own.
/// </summary>
public sealed record IsolationOptions
{
    /// <summary>The environment variable that names the worker executable (wins over the default location).</summary>
    public const string WorkerPathEnvironmentVariable = "NPLUG_WORKER";

    /// <summary>The worker executable. Null: <c>NPLUG_WORKER</c>, else <c>nplug-worker</c> next to the
    /// NativePlugins.Host assembly, else in its <c>runtimes/linux-x64/native/</c> folder.</summary>
    public string? WorkerPath { get; init; }

    /// <summary>The deadline of one call (create, process, flush, stats). A worker that misses it is killed
    /// (SIGKILL) and the call throws <see cref="PluginTimeoutException"/>. Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of starting a worker and loading the library in it (np_entry, validation, init).
    /// Default 30 s.</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>RLIMIT_AS of each worker: its whole address space (code, heap, the shared buffers). A plugin past it
    /// sees its allocations fail. Null: no limit of its own.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>
    /// The memory each worker may really use (resident pages, page cache and kernel memory charged to it), enforced
    /// by a memory cgroup of its own: past it the kernel's OOM killer ends the worker, and the call throws
    /// <see cref="PluginCrashedException"/> with <see cref="PluginCrashedException.MemoryLimitReached"/> set. Unlike
    /// <see cref="MemoryLimitBytes"/> it does not count address space that is only reserved. Needs a cgroup the host
    /// may create children in (<see cref="CgroupParent"/>): cgroup v2 with the memory controller delegated, or v1's
    /// memory hierarchy. Where there is none the load fails with <see cref="PluginLoadError.IsolationLimitUnavailable"/>
    /// rather than run without the limit. Null: no cgroup.
    /// </summary>
    public long? ResidentMemoryLimitBytes { get; init; }

    /// <summary>The cgroup directory the workers' cgroups (<see cref="ResidentMemoryLimitBytes"/>) are created in, e.g.
    /// a systemd unit's delegated cgroup (<c>Delegate=memory</c>). Null: the host process's own memory cgroup, read
    /// from <c>/proc/self/cgroup</c>.</summary>
    public string? CgroupParent { get; init; }

    /// <summary>RLIMIT_CPU of each worker, in whole seconds (rounded up): past it the kernel ends the worker
    /// (SIGXCPU, then SIGKILL). Null: no limit.</summary>
    public TimeSpan? CpuTimeLimit { get; init; }

    /// <summary>RLIMIT_NOFILE of each worker (it needs 9 descriptors of its own, and 2 for each shared record buffer it was handed). Null: the host's.</summary>
    public int? OpenFilesLimit { get; init; }

    /// <summary>Restricted mode: each worker sets no_new_privs and installs a seccomp filter before it loads the
    /// library, so that np_entry, init and every call see socket() of any family but AF_UNIX, execve and execveat
    /// fail with EPERM (x64 and arm64; elsewhere the worker refuses to start). Default false.</summary>
    public bool Restricted { get; init; }

    /// <summary>
    /// How long a side of a call into a worker may wait actively before it blocks: the host on the reply, the worker
    /// on the next request. Each waits for twice what its last waits took, spinning while the other runs on another
    /// CPU and yielding its CPU while both share one; a wait expected to be longer than this blocks at once, on an
    /// eventfd (a wake-up, ~5 µs on a busy CPU and up to tens of µs on an idle one, is then small beside the call).
    /// Waiting actively spends the waiting thread's CPU to save that wake-up: <see cref="TimeSpan.Zero"/> always
    /// blocks (every call pays two wake-ups); a longer limit keeps longer batches wake-up free. Default 200 µs.
    /// </summary>
    public TimeSpan MaxSpin { get; init; } = TimeSpan.FromTicks(Isolation.WorkerProtocol.SpinMaxDefaultNanoseconds / 100);

    /// <summary>When a faulted instance is recreated. Default <see cref="RestartPolicy.Default"/>.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.Default;

    /// <summary>The defaults.</summary>
    public static IsolationOptions Default { get; } = new();
}
