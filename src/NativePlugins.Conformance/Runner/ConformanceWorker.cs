using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativePlugins.Conformance.Harness;
using NativePlugins.Conformance.Runner;

namespace NativePlugins.Conformance;

/// <summary>
/// The worker side of the out-of-process runner: reads a <see cref="WorkerRequest"/> from stdin, runs its units in
/// order in this process and streams <see cref="WorkerEvent"/> lines back. If the plugin crashes or hangs, this process
/// dies or is killed; the runner knows from the last "start" which check did it. Call from the executable's entry
/// point (the CLI's hidden <c>nplug check --worker</c>).
/// </summary>
public static partial class ConformanceWorker
{
    /// <summary>Runs the request read from <paramref name="input"/>; returns the process exit code.</summary>
    public static int Run(TextReader input)
    {
        using var protocol = OpenProtocolStream();
        var request = WorkerJson.ParseRequest(input.ReadToEnd());
        if (request?.Library is null || request.Units is null || request.Settings is null)
            throw new InvalidOperationException("the worker request (JSON on stdin) lacks library, units or settings");
        DisableCoreDumps();

        var contracts = (request.Interfaces ?? []).Select(w => w.ToContract()).ToList();
        using var state = new LibraryState(request.Library, request.Settings, contracts);
        void Send(WorkerEvent e)
        {
            protocol.WriteLine(WorkerJson.Serialize(e));
            protocol.Flush();
        }

        if (request.Describe) Send(new WorkerEvent(WorkerEvent.Described, Description: state.Describe()));
        for (var i = 0; i < request.Units.Count; i++)
        {
            var index = i;
            Send(new WorkerEvent(WorkerEvent.Start, index));
            var result = CheckExecutor.Execute(request.Units[i], state, text => Send(new WorkerEvent(WorkerEvent.Phase, index, text)));
            Send(new WorkerEvent(WorkerEvent.Finished, index, Result: result));
        }
        Send(new WorkerEvent(WorkerEvent.Done));
        return 0;
    }

    /// <summary>Moves the real stdout aside for the protocol and points fd 1 at stderr, so that whatever the plugin
    /// prints (printf, Console.WriteLine in a C# plugin) ends up in the runner's captured stderr, not in the protocol.</summary>
    private static StreamWriter OpenProtocolStream()
    {
        Console.Out.Flush();
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            return new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        var fd = Libc.dup(1);
        if (fd < 0 || Libc.dup2(2, 1) < 0)
            throw new IOException($"cannot set up the worker protocol stream (errno {Marshal.GetLastPInvokeError()})");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        return new StreamWriter(new FileStream(handle, FileAccess.Write, 1), new System.Text.UTF8Encoding(false));
    }

    /// <summary>Crashing is this process's job when a plugin is broken; a core file per crash would litter the
    /// working directory.</summary>
    private static void DisableCoreDumps()
    {
        if (!OperatingSystem.IsLinux()) return;
        var limit = new RLimit { Current = 0, Maximum = 0 };
        _ = setrlimit(4 /* RLIMIT_CORE */, ref limit);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ref RLimit limit);
}
