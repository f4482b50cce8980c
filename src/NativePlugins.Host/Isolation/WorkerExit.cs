using NativePlugins.Interop;

namespace NativePlugins.Hosting.Isolation;

/// <summary>How a worker process ended, from its wait status; <see cref="KilledForDeadline"/> when the host killed it,
/// <see cref="OutOfMemory"/> when its memory cgroup's OOM killer did (<see cref="IsolationOptions.ResidentMemoryLimitBytes"/>).</summary>
internal readonly record struct WorkerExit(int? Signal, int? ExitCode, bool KilledForDeadline, string? Note = null,
    bool OutOfMemory = false)
{
    /// <summary>Decodes a waitpid status (WIFSIGNALED / WEXITSTATUS).</summary>
    public static WorkerExit FromWaitStatus(int status, bool killedForDeadline = false) =>
        (status & 0x7f) == 0
            ? new WorkerExit(null, (status >> 8) & 0xff, killedForDeadline)
            : new WorkerExit(status & 0x7f, null, killedForDeadline);

    /// <summary>"killed by SIGSEGV (signal 11): ..." or "exited with code 42".</summary>
    public string Describe()
    {
        string how;
        if (Signal is { } s)
            how = $"killed by {ProcessSignals.Name(s)} (signal {s})" + s switch
            {
                11 => ": the plugin dereferenced a bad pointer",
                6 => ": an abort (a failed assertion, an allocation failure, an uncaught exception or panic across the boundary)",
                7 => ": a bus error (misaligned or unmapped memory)",
                8 => ": an arithmetic fault",
                4 => ": an illegal instruction (a trap, e.g. __builtin_trap or a Rust abort)",
                24 => ": the worker's CPU time limit (IsolationOptions.CpuTimeLimit) ran out",
                9 when KilledForDeadline => " by the host: the call missed its deadline",
                9 when OutOfMemory => ": the kernel's OOM killer, at the worker's memory limit (IsolationOptions.ResidentMemoryLimitBytes, its cgroup)",
                9 => ": by the kernel (out of memory?) or by another process",
                _ => "",
            };
        else
            how = ExitCode switch
            {
                WorkerProtocol.ExitVersion => "the worker refused the host's protocol version (a worker from another build)",
                WorkerProtocol.ExitChannel => "the worker could not map its channels",
                WorkerProtocol.ExitUsage => "the worker refused its arguments or limits",
                _ => $"the plugin ended the process with exit code {ExitCode}",
            };
        return Note is null ? how : $"{how} ({Note})";
    }

}
