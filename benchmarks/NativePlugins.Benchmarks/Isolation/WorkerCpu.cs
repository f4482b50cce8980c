using System.Runtime.InteropServices;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Isolation;

/// <summary>
/// Where an isolated benchmark's worker runs. run.sh pins the measured process to one CPU, and a worker inherits
/// its host's affinity: host and worker then share that CPU and every hand-off between them is a context switch
/// (<see cref="SameCpu"/>, the default of a pinned application). <see cref="OwnCpu"/> moves each worker to another
/// CPU of the machine after it started (sched_setaffinity on its pid), which is what an isolated host is given on
/// an unpinned machine: the figure the targets are about. Both are reported.
/// </summary>
public static class WorkerCpu
{
    public const string SameCpu = "same-cpu";
    public const string OwnCpu = "own-cpu";

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getcpu();

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);

    /// <summary>Moves the worker of every isolated instance to a CPU other than this thread's; throws when the
    /// machine has none (a one-CPU machine cannot measure the own-cpu case).</summary>
    public static void MoveWorkers(IEnumerable<TransformInstance> instances)
    {
        int mine = sched_getcpu();
        int cpus = Math.Min(64, (int)(new DirectoryInfo("/sys/devices/system/cpu").GetDirectories("cpu*")
            .Count(d => d.Name.Length > 3 && char.IsAsciiDigit(d.Name[3]))));
        int other = Enumerable.Range(0, cpus).Where(c => c != mine).DefaultIfEmpty(-1).First();
        if (other < 0) throw new InvalidOperationException("own-cpu: this machine has one CPU only");
        foreach (var pid in instances.Select(i => i.WorkerProcessId).Distinct())
        {
            if (pid == 0) throw new InvalidOperationException("own-cpu: an instance has no live worker");
            ulong mask = 1ul << other;
            if (sched_setaffinity(pid, sizeof(ulong), ref mask) != 0)
                throw new InvalidOperationException($"own-cpu: sched_setaffinity of worker {pid} to CPU {other} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }
}
