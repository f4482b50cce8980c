using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Services;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// One running <c>nplug-worker</c>: its channels (npw_protocol.h: control, input and output memfds, request and
/// reply eventfds, a stderr pipe), one request at a time (<see cref="Call"/>, under <see cref="Gate"/>), and its
/// end: a death is noticed while waiting (pidfd), the process is reaped (waitpid) and every descriptor and mapping
/// is released (<see cref="Dispose"/>), so a crash leaves neither a zombie nor a leaked fd behind.
/// </summary>
internal sealed unsafe class WorkerProcess : IDisposable
{
    private const int InitialInputBytes = 64 * 1024;
    private const int FDupfdCloexec = 1030;
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private readonly SharedRegion _control;
    private readonly SharedRegion _input;
    private readonly SharedRegion _output;
    private int _requestFd = -1, _replyFd = -1, _pidfd = -1, _stderrFd = -1;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _workerLogger;
    private readonly Dictionary<string, ILogger> _pluginLoggers = new(StringComparer.Ordinal);
    private readonly List<byte> _partialLine = [];
    private readonly string _file;
    private AdaptiveSpin _spin;
    private uint _sequence;
    private int _sinceDrain;
    private WorkerCgroup? _cgroup;
    private WorkerRegions? _regions;
    private bool _disposed;

    private WorkerProcess(string file, ILoggerFactory loggers, SharedRegion control, SharedRegion input, SharedRegion output,
        TimeSpan maxSpin)
    {
        _spin = new AdaptiveSpin(maxSpin);
        _file = file;
        _loggers = loggers;
        _workerLogger = loggers.CreateLogger("NativePlugins.Host.Worker");
        _control = control;
        _input = input;
        _output = output;
    }

    /// <summary>Held by whoever fills a request, calls <see cref="Call"/> and reads the reply.</summary>
    public Lock Gate { get; } = new();

    public int Pid { get; private set; }

    /// <summary>Set once the worker is dead and reaped.</summary>
    public WorkerExit? Exit { get; private set; }

    public bool IsDead => Exit is not null;

    /// <summary>The last line on stderr that was not a log line.</summary>
    public string? LastWords { get; private set; }

    public NpwControl* Control => (NpwControl*)_control.Base;

    public SharedRegion Input => _input;

    public SharedRegion Output => _output;

    /// <summary>The shared record buffers this worker was handed (npw_protocol.h, "Shared record buffers"); null in
    /// restricted mode, where memory a worker can write is never the host's: every batch is copied.</summary>
    public WorkerRegions? Regions => _regions;

    /// <summary>Starts a worker with its channels (the library is loaded by the first request, LOAD).</summary>
    public static WorkerProcess Start(string workerPath, string file, IsolationOptions options, ILoggerFactory loggers)
    {
        SharedRegion? control = null, input = null, output = null;
        WorkerProcess? w = null;
        int stderrWrite = -1, devNull = -1, regionsWorker = -1;
        try
        {
            control = SharedRegion.Create("nplug-control", WorkerProtocol.ControlBytes);
            input = SharedRegion.Create("nplug-input", InitialInputBytes);
            output = SharedRegion.Create("nplug-output", 0);
            w = new WorkerProcess(file, loggers, control, input, output, options.MaxSpin);
            if (options.ResidentMemoryLimitBytes is { } resident)
                w._cgroup = WorkerCgroup.Create(resident, options.CgroupParent); // before the process: no limit, no worker
            var c = w.Control;
            c->magic = WorkerProtocol.Magic;
            c->version = WorkerProtocol.Version;
            c->input_size = (ulong)input.Size;
            w._requestFd = Above(WorkerLibc.EventFd(0, WorkerLibc.EfdCloexec), "eventfd");
            w._replyFd = Above(WorkerLibc.EventFd(0, WorkerLibc.EfdCloexec | WorkerLibc.ONonBlock), "eventfd");
            int* pipe = stackalloc int[2];
            if (WorkerLibc.Pipe2(pipe, WorkerLibc.OCloexec) != 0)
                throw new IOException($"pipe2 failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
            w._stderrFd = Above(pipe[0], "pipe");
            stderrWrite = Above(pipe[1], "pipe");
            WorkerLibc.Fcntl(w._stderrFd, WorkerLibc.FSetFl, WorkerLibc.Fcntl(w._stderrFd, WorkerLibc.FGetFl, 0) | WorkerLibc.ONonBlock);
            int* pair = stackalloc int[2];
            if (WorkerLibc.SocketPair(WorkerLibc.AfUnix, WorkerLibc.SockSeqPacket | WorkerLibc.SockCloexec, 0, pair) != 0)
                throw new IOException($"socketpair failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
            regionsWorker = pair[1];
            int regionsHost = Above(pair[0], "socketpair");
            if (options.Restricted) WorkerLibc.Close(regionsHost); // the worker's end stays: its descriptor 8 exists
            else w._regions = new WorkerRegions(regionsHost);
            int workerEnd = regionsWorker;
            regionsWorker = -1; // Above closes it, whatever happens
            regionsWorker = Above(workerEnd, "socketpair");
            fixed (byte* path = "/dev/null\0"u8) devNull = Above(WorkerLibc.Open(path, WorkerLibc.OCloexec), "open /dev/null");
            var args = new List<string> { "--serve", "--parent", WorkerLibc.GetPid().ToString(CultureInfo.InvariantCulture) };
            if (options.MemoryLimitBytes is { } bytes) args.AddRange(["--as-bytes", bytes.ToString(CultureInfo.InvariantCulture)]);
            if (options.CpuTimeLimit is { } cpu)
                args.AddRange(["--cpu-seconds", Math.Max(1, (long)Math.Ceiling(cpu.TotalSeconds)).ToString(CultureInfo.InvariantCulture)]);
            args.AddRange(["--spin-ns", w._spin.MaxNanoseconds.ToString(CultureInfo.InvariantCulture)]);
            if (options.Restricted) args.Add("--restricted");
            if (options.OpenFilesLimit is { } files) args.AddRange(["--open-files", files.ToString(CultureInfo.InvariantCulture)]);
            // The worker's stdout goes to the stderr pipe too: a plugin's printf must never mix into the host's
            // stdout (nplug run writes records there).
            w.Pid = WorkerSpawner.Start(workerPath, [.. args],
            [
                (devNull, 0), (stderrWrite, 1), (stderrWrite, 2), (control.Fd, WorkerProtocol.FdControl),
                (input.Fd, WorkerProtocol.FdInput), (output.Fd, WorkerProtocol.FdOutput),
                (w._requestFd, WorkerProtocol.FdRequest), (w._replyFd, WorkerProtocol.FdReply),
                (regionsWorker, WorkerProtocol.FdRegions),
            ]);
            w._pidfd = WorkerLibc.PidfdOpen(w.Pid); // -1 on kernels before 5.3: stderr's hang-up tells the death then
            // Into its cgroup before the first request (LOAD): the worker runs no plugin code before it.
            w._cgroup?.Add(w.Pid);
            return w;
        }
        catch
        {
            if (w is not null) w.Dispose();
            else
            {
                control?.Dispose();
                input?.Dispose();
                output?.Dispose();
            }
            throw;
        }
        finally
        {
            if (stderrWrite >= 0) WorkerLibc.Close(stderrWrite);
            if (devNull >= 0) WorkerLibc.Close(devNull);
            if (regionsWorker >= 0) WorkerLibc.Close(regionsWorker);
        }
    }

    /// <summary>A descriptor moved to 10 or above (close-on-exec), so that no source of the worker's dup2 list is
    /// one of its targets 0..7.</summary>
    private static int Above(int fd, string what)
    {
        if (fd < 0) throw new IOException($"{what} failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
        int high = WorkerLibc.Fcntl(fd, FDupfdCloexec, 10);
        int error = WorkerLibc.LastError;
        WorkerLibc.Close(fd);
        if (high < 0) throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: {WorkerLibc.ErrorText(error)}");
        return high;
    }

    /// <summary>
    /// Sends the request the caller wrote into <see cref="Control"/> and waits for the reply: a spin on reply_seq
    /// when the rule says so (<see cref="AdaptiveSpin"/>), then poll on the reply eventfd, the pidfd and stderr. The eventfds
    /// are only signalled when the other side said it blocks (npw_protocol.h, "Wake-ups"). Throws
    /// <see cref="WorkerDiedException"/> when the worker dies first (reaped here) or misses
    /// <paramref name="timeout"/> (then it is killed and reaped). The caller holds <see cref="Gate"/>.
    /// </summary>
    public void Call(uint op, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Exit is { } gone) throw new WorkerDiedException(gone, LastWords, null);
        var c = Control;
        c->op = op;
        c->log_written = 0;
        c->input_size = (ulong)_input.Size;
        c->region_messages = _regions?.TakeQueued() ?? 0;
        uint cpu = AdaptiveSpin.CurrentCpu();
        c->host_cpu = cpu;
        uint seq = ++_sequence;
        _spin.Started();
        Volatile.Write(ref c->request_seq, seq);
        Interlocked.MemoryBarrier(); // the store above before the load below (the worker does the mirror image)
        if (Volatile.Read(ref c->worker_waiting) != 0) Signal(_requestFd);
        if (_spin.Wait(&c->reply_seq, seq, cpu, Volatile.Read(ref c->worker_cpu)))
        {
            _spin.Finished();
            Replied();
            return;
        }
        Volatile.Write(ref c->host_waiting, 1u);
        Interlocked.MemoryBarrier();
        try
        {
            WaitBlocking(seq, timeout);
        }
        finally
        {
            Volatile.Write(ref c->host_waiting, 0u);
        }
        _spin.Finished();
        Replied();
    }

    private void Signal(int fd)
    {
        ulong one = 1;
        if (WorkerLibc.Write(fd, &one, sizeof(ulong)) != sizeof(ulong))
            throw new IOException($"signalling the worker failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
    }

    private void Replied()
    {
        // A read of stderr is a system call, as costly as the rest of a small call: after a request that logged,
        // else one in NPW_STDERR_DRAIN_EVERY (and in every blocking wait, and at the end).
        if (Control->log_written != 0 || ++_sinceDrain >= WorkerProtocol.StderrDrainEvery)
        {
            _sinceDrain = 0;
            DrainStderr();
        }
        _output.Sync((long)Control->output_size);
    }

    /// <summary>Blocks until reply_seq is <paramref name="seq"/>, the worker dies or the deadline passes. A count
    /// on the reply eventfd is only a hint (it may be left over from a reply seen while spinning).</summary>
    private void WaitBlocking(uint seq, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        WorkerLibc.PollFd* fds = stackalloc WorkerLibc.PollFd[3];
        for (; ; )
        {
            if (Volatile.Read(ref Control->reply_seq) == seq) return;
            int wait = -1;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                var left = timeout - Stopwatch.GetElapsedTime(start);
                wait = left <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
            }
            fds[0] = new WorkerLibc.PollFd { Fd = _replyFd, Events = WorkerLibc.PollIn };
            fds[1] = new WorkerLibc.PollFd { Fd = _stderrFd, Events = WorkerLibc.PollIn };
            fds[2] = new WorkerLibc.PollFd { Fd = _pidfd, Events = WorkerLibc.PollIn };
            int n = WorkerLibc.Poll(fds, _pidfd >= 0 ? 3u : 2u, wait);
            if (n < 0)
            {
                if (WorkerLibc.LastError == WorkerLibc.EINTR) continue;
                throw new IOException($"poll failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
            }
            bool stderrClosed = false;
            if ((fds[1].Revents & (WorkerLibc.PollIn | WorkerLibc.PollHup | WorkerLibc.PollErr)) != 0)
                stderrClosed = DrainStderr();
            if ((fds[0].Revents & WorkerLibc.PollIn) != 0)
            {
                ulong value;
                WorkerLibc.Read(_replyFd, &value, sizeof(ulong));
                continue; // the sequence number decides
            }
            if (Volatile.Read(ref Control->reply_seq) == seq) return;
            if ((_pidfd >= 0 && (fds[2].Revents & WorkerLibc.PollIn) != 0) || (_pidfd < 0 && stderrClosed))
                throw new WorkerDiedException(Reap(killedForDeadline: false), LastWords, null);
            if (n == 0 && wait == 0)
            {
                WorkerLibc.Kill(Pid, WorkerLibc.SigKill);
                throw new WorkerDiedException(Reap(killedForDeadline: true), LastWords, timeout);
            }
        }
    }

    /// <summary>Appends the reply's output batch to <paramref name="output"/> (one copy out of the output memfd);
    /// false, with nothing appended, when the reply describes a batch that does not lie inside the memfd.</summary>
    public bool AppendOutput(RecordBuffer output)
    {
        var c = Control;
        ulong count = c->output_count, size = (ulong)_output.Size;
        if (count == 0) return true;
        if (count >= size / sizeof(ulong) || c->output_offsets_at > size - (count + 1) * sizeof(ulong) || c->output_data_at > size)
            return false;
        var offsets = (ulong*)(_output.Base + c->output_offsets_at);
        if (offsets[0] != 0 || offsets[count] > size - c->output_data_at) return false;
        output.AppendNative(_output.Base + c->output_data_at, offsets, count);
        return true;
    }

    /// <summary>Waits for the (dying) process, reads what it left on stderr, records how it ended.</summary>
    private WorkerExit Reap(bool killedForDeadline)
    {
        int status = 0;
        int r;
        do r = WorkerLibc.WaitPid(Pid, &status, 0);
        while (r < 0 && WorkerLibc.LastError == WorkerLibc.EINTR);
        DrainStderr();
        var exit = r == Pid
            ? WorkerExit.FromWaitStatus(status, killedForDeadline)
            : new WorkerExit(killedForDeadline ? WorkerLibc.SigKill : null, null, killedForDeadline,
                $"its status could not be read: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
        if (exit.Signal == WorkerLibc.SigKill && !killedForDeadline && _cgroup?.OomKills() > 0)
            exit = exit with { OutOfMemory = true };
        _cgroup?.Dispose(); // reaped: the cgroup is empty now and goes with its process, not with this object
        Exit = exit;
        return exit;
    }

    /// <summary>Reads what stderr holds now, without blocking; plugin log lines go to the logger of their scope,
    /// other lines to NativePlugins.Host.Worker at Warning. True when the pipe hung up (every writer is gone).</summary>
    private bool DrainStderr()
    {
        if (_stderrFd < 0) return true;
        byte* buffer = stackalloc byte[4096];
        for (; ; )
        {
            nint n = WorkerLibc.Read(_stderrFd, buffer, 4096);
            if (n > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        Line(Encoding.UTF8.GetString([.. _partialLine]));
                        _partialLine.Clear();
                    }
                    else if (_partialLine.Count < 16384) _partialLine.Add(buffer[i]);
                }
                continue;
            }
            if (n == 0)
            {
                if (_partialLine.Count > 0)
                {
                    Line(Encoding.UTF8.GetString([.. _partialLine]));
                    _partialLine.Clear();
                }
                return true;
            }
            int e = WorkerLibc.LastError;
            if (e == WorkerLibc.EINTR) continue;
            return false; // EAGAIN: nothing more for now
        }
    }

    private void Line(string line)
    {
        if (line.StartsWith(WorkerProtocol.LogPrefix, StringComparison.Ordinal))
        {
            var parts = line[WorkerProtocol.LogPrefix.Length..].Split('\t', 3);
            if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int level))
            {
                if (!_pluginLoggers.TryGetValue(parts[1], out var logger))
                    _pluginLoggers[parts[1]] = logger = _loggers.CreateLogger(parts[1]);
                var logLevel = PluginLogLevels.ToLogLevel(level);
                if (logger.IsEnabled(logLevel)) logger.Log(logLevel, "{Message}", parts[2]);
                return;
            }
        }
        if (line.Length == 0) return;
        LastWords = line;
        _workerLogger.LogWarning("{File}: worker {Pid} stderr: {Line}", _file, Pid, Interop.NativeText.OneLine(line));
    }

    /// <summary>Ends the worker: EXIT (its instances destroyed, deinit, dlclose) with a short grace, SIGKILL after
    /// it; reaps it and releases every descriptor and mapping. Idempotent.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            if (Pid > 0 && Exit is null)
            {
                try
                {
                    Call(WorkerProtocol.OpExit, ExitGrace);
                }
                catch (WorkerDiedException)
                {
                    // already reaped by Call
                }
                catch (IOException)
                {
                    WorkerLibc.Kill(Pid, WorkerLibc.SigKill);
                }
                if (Exit is null) WaitOrKill();
            }
            _disposed = true;
            foreach (var fd in new[] { _requestFd, _replyFd, _pidfd, _stderrFd })
                if (fd >= 0) WorkerLibc.Close(fd);
            _requestFd = _replyFd = _pidfd = _stderrFd = -1;
            _control.Dispose();
            _input.Dispose();
            _output.Dispose();
            _regions?.Dispose();
            _cgroup?.Dispose(); // a worker that never started (the reap removes it otherwise)
        }
    }

    /// <summary>After a successful EXIT: the worker is on its way out; give it the grace, then kill; reap.</summary>
    private void WaitOrKill()
    {
        if (_pidfd >= 0)
        {
            var fd = new WorkerLibc.PollFd { Fd = _pidfd, Events = WorkerLibc.PollIn };
            if (WorkerLibc.Poll(&fd, 1, (int)ExitGrace.TotalMilliseconds) == 0) WorkerLibc.Kill(Pid, WorkerLibc.SigKill);
        }
        Reap(killedForDeadline: false);
    }
}
