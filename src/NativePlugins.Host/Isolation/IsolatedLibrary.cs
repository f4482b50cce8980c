using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Interop;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// A library loaded in worker processes instead of the host: the info its first worker reported at load, and the
/// workers its instances run in. <see cref="PluginIsolation.ProcessPerLibrary"/>: one worker, started at load and
/// replaced (by the next <see cref="Acquire"/>) once it died; <see cref="PluginIsolation.ProcessPerInstance"/>: the
/// load's worker ends after the load, and every <see cref="Acquire"/> starts one of its own. The library lives while
/// the <see cref="PluginLibrary"/> or any instance holds a reference (rule H6, as in-process).
/// </summary>
internal sealed unsafe class IsolatedLibrary
{
    private readonly Lock _lock = new();
    private readonly string _workerPath;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly uint _abiMinor;
    private WorkerProcess? _shared;
    private int _references = 1; // the PluginLibrary's

    private IsolatedLibrary(string file, PluginIsolation mode, IsolationOptions options, string workerPath,
        uint abiMinor, ILoggerFactory loggers)
    {
        FilePath = file;
        Mode = mode;
        Options = options;
        _workerPath = workerPath;
        _abiMinor = abiMinor;
        _loggers = loggers;
        _logger = loggers.CreateLogger("NativePlugins.Host");
    }

    public string FilePath { get; }

    public PluginIsolation Mode { get; }

    public IsolationOptions Options { get; }

    public LibraryInfo Info { get; private set; } = null!;

    /// <summary>Under hot reload: the private copy of <see cref="FilePath"/> every worker of this library loads (so
    /// that rewriting the watched file never changes the code under a running worker), deleted once the last worker
    /// has ended; else null and workers load <see cref="FilePath"/>.</summary>
    public string? ShadowCopy { get; private init; }

    /// <summary>Under hot reload: the watched file's stamp when <see cref="ShadowCopy"/> was taken.</summary>
    public FileStamp? SourceStamp { get; private init; }

    /// <summary>True once the last reference is gone and the shared worker (if any) has ended.</summary>
    public bool Released
    {
        get
        {
            lock (_lock) return _references == 0;
        }
    }

    private string LoadPath => ShadowCopy ?? FilePath;

    /// <summary>Starts a worker, loads the library in it and keeps (per library) or ends (per instance) it.</summary>
    /// <exception cref="PluginLoadException">The worker refused the library, died or hung loading it.</exception>
    /// <remarks>Hot reload: <paramref name="shadowCopy"/> is the copy of <paramref name="file"/> to load instead (owned by
    /// the library from here on, deleted when it is released, or now when the load fails), <paramref name="stamp"/>
    /// the file's stamp when it was taken.</remarks>
    public static IsolatedLibrary Load(string file, PluginIsolation mode, IsolationOptions options, uint abiMinor,
        ILoggerFactory loggers, string? shadowCopy = null, FileStamp? stamp = null)
    {
        IsolatedLibrary library;
        WorkerProcess worker;
        LibraryInfo info;
        try
        {
            var workerPath = WorkerLocator.Find(options, file);
            library = new IsolatedLibrary(file, mode, options, workerPath, abiMinor, loggers)
            {
                ShadowCopy = shadowCopy,
                SourceStamp = stamp,
            };
            worker = library.StartLoaded(out info);
        }
        catch when (shadowCopy is not null)
        {
            Reload.ShadowCopies.Delete(shadowCopy);
            throw;
        }
        library.Info = info;
        if (mode == PluginIsolation.ProcessPerLibrary) library._shared = worker;
        else worker.Dispose();
        return library;
    }

    /// <summary>A live worker with the library loaded: the shared one (started again if it died), or a new one per
    /// instance. Throws <see cref="WorkerDiedException"/> when the library no longer loads (it crashes in init now).</summary>
    public WorkerProcess Acquire()
    {
        if (Mode == PluginIsolation.ProcessPerInstance) return StartLoadedForRestart();
        lock (_lock)
        {
            if (_references == 0) throw new ObjectDisposedException(FilePath);
            if (_shared is { IsDead: false } live) return live;
            _shared?.Dispose();
            _shared = null;
            _shared = StartLoadedForRestart();
            return _shared;
        }
    }

    /// <summary>An instance is done with <paramref name="worker"/> (its own, per instance: ended here).</summary>
    public void Return(WorkerProcess worker)
    {
        if (Mode == PluginIsolation.ProcessPerInstance) worker.Dispose();
    }

    public void AddReference()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_references == 0, this);
            _references++;
        }
    }

    /// <summary>Drops a reference; the last one ends the shared worker (EXIT: deinit and dlclose in the worker) and
    /// deletes the shadow copy (per instance, each instance's worker ended before its reference was dropped).</summary>
    public void Release()
    {
        WorkerProcess? last = null;
        lock (_lock)
        {
            if (_references == 0) return;
            if (--_references > 0) return;
            last = _shared;
            _shared = null;
        }
        last?.Dispose();
        if (ShadowCopy is not null) Reload.ShadowCopies.Delete(ShadowCopy); // nothing maps it any more
    }

    private WorkerProcess StartLoadedForRestart()
    {
        try
        {
            var worker = StartLoaded(out var info);
            info.ReleaseReports();
            return worker;
        }
        catch (PluginLoadException e) when (e.InnerException is PluginCrashedException crash)
        {
            // The library loaded before: now its load crashes. The caller reports it as the fault of its call.
            throw new WorkerDiedException(new WorkerExit(crash.Signal, crash.ExitCode, crash is PluginTimeoutException,
                "while loading the library again for a restart"), crash.LastWords, (crash as PluginTimeoutException)?.Deadline);
        }
    }

    /// <summary>Starts a worker and runs LOAD in it; on any failure the worker is ended and reaped.</summary>
    private WorkerProcess StartLoaded(out LibraryInfo info)
    {
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(_workerPath, FilePath, Options, _loggers);
        }
        catch (WorkerLimitException e)
        {
            throw new PluginLoadException(PluginLoadError.IsolationLimitUnavailable, FilePath, null, e.Message, e);
        }
        catch (IOException e)
        {
            throw new PluginLoadException(PluginLoadError.WorkerUnavailable, FilePath, null, e.Message, e);
        }
        try
        {
            lock (worker.Gate)
            {
                var path = Encoding.UTF8.GetBytes(LoadPath);
                worker.Input.Grow(path.Length);
                path.CopyTo(new Span<byte>(worker.Input.Base, path.Length));
                var c = worker.Control;
                c->arg_len = (ulong)path.Length;
                c->request_value = _abiMinor;
                try
                {
                    worker.Call(WorkerProtocol.OpLoad, Options.LoadTimeout);
                }
                catch (WorkerDiedException died)
                {
                    throw LoadFault(died);
                }
                if (c->result != WorkerProtocol.ResultOk) throw Refusal(c);
                info = LibraryInfo.Read(new ReadOnlySpan<byte>(worker.Output.Base + c->output_data_at,
                    checked((int)c->output_data_used)), FilePath);
            }
            if (_logger.IsEnabled(LogLevel.Debug))
                _logger.LogDebug("{File}: loaded in worker {Pid} ({Mode})", FilePath, worker.Pid, Mode);
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    private PluginLoadException LoadFault(WorkerDiedException died)
    {
        if (died.MissedDeadline is { } deadline)
            return new PluginLoadException(PluginLoadError.WorkerTimedOut, FilePath, null,
                $"loading it in the worker (np_entry, validation, init) missed its deadline of {deadline.TotalMilliseconds:0.###} ms; the worker was killed",
                new PluginTimeoutException("load", "", FilePath, deadline, died.Exit, [], false));
        var crash = new PluginCrashedException("load", "", FilePath, died.Exit, [], false, died.LastWords);
        return new PluginLoadException(PluginLoadError.WorkerCrashed, FilePath, null,
            $"loading it (np_entry or init) crashed the worker process: {died.Exit.Describe()}" +
            (died.LastWords is null ? "" : $"; its last words on stderr: '{died.LastWords}'"), crash);
    }

    /// <summary>The C host's refusal (nph_error_t and its message) as the .NET host's typed one.</summary>
    private PluginLoadException Refusal(NpwControl* c)
    {
        var message = WorkerMessage(c);
        // The C host's message starts with the path; the exception puts it there itself.
        // The C host's message starts with the path it loaded (the shadow copy under hot reload).
        var prefix = LoadPath + ": ";
        var detail = message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
        var reason = c->result != WorkerProtocol.ResultFailed ? PluginLoadError.WorkerUnavailable : c->nph_error switch
        {
            WorkerProtocol.NphOpen when detail.Contains("empty", StringComparison.Ordinal) => PluginLoadError.EmptyFile,
            WorkerProtocol.NphOpen when detail.Contains("not an ELF", StringComparison.Ordinal) => PluginLoadError.NotALibrary,
            WorkerProtocol.NphOpen => PluginLoadError.LoadFailed,
            WorkerProtocol.NphNoEntry when detail.Contains("data symbol", StringComparison.Ordinal) => PluginLoadError.EntryNotAFunction,
            WorkerProtocol.NphNoEntry => PluginLoadError.MissingEntry,
            WorkerProtocol.NphVersion => PluginLoadError.VersionMismatch,
            WorkerProtocol.NphEntry => PluginLoadError.EntryFailed,
            WorkerProtocol.NphLayout => PluginLoadError.LayoutMismatch,
            WorkerProtocol.NphDuplicate => PluginLoadError.DuplicateId,
            WorkerProtocol.NphInit => PluginLoadError.InitFailed,
            WorkerProtocol.NphProtocol => PluginLoadError.ProtocolViolation,
            _ => PluginLoadError.MalformedLibrary,
        };
        return new PluginLoadException(reason, FilePath, null, $"{detail} (refused in the worker by np_c_host)");
    }

    /// <summary>The reply's message (UTF-8, at most NPW_MESSAGE_MAX bytes).</summary>
    public static string WorkerMessage(NpwControl* c) =>
        Encoding.UTF8.GetString(c->message, (int)Math.Min(c->message_len, (uint)WorkerProtocol.MessageMax - 1));

    public override string ToString() => $"{Path.GetFileName(FilePath)} ({Mode})";
}
