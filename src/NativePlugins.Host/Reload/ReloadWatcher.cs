using Microsoft.Extensions.Logging;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting.Reload;

/// <summary>
/// What <see cref="PluginHost.Watch"/> returns: a background thread that polls the stamp (<see cref="FileStamp"/>)
/// of every current library's file and reloads it once a change has settled, i.e. the same new stamp was seen for
/// the whole debounce interval. Polling, not inotify: it needs no watch descriptors (a per-user limit), sees
/// replacements by rename and in-place rewrites alike, and costs one statx per library per poll. A new version that
/// was refused is not retried until the file changes again. Dispose stops the thread (waiting for a reload in
/// progress); idempotent.
/// </summary>
internal sealed class ReloadWatcher : IDisposable
{
    private readonly PluginHost _host;
    private readonly TimeSpan _debounce;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly Dictionary<PluginLibrary, (FileStamp Stamp, long Since)> _changing = [];
    private readonly Dictionary<PluginLibrary, FileStamp> _refused = [];
    private int _disposed;

    public ReloadWatcher(PluginHost host, TimeSpan debounce, ILogger logger)
    {
        _host = host;
        _debounce = debounce;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "nplug hot reload" };
        _thread.Start();
    }

    private TimeSpan Period => TimeSpan.FromTicks(Math.Max(_debounce.Ticks / 2, TimeSpan.FromMilliseconds(10).Ticks));

    private void Run()
    {
        while (!_stop.Wait(Period))
        {
            try
            {
                Poll();
            }
            catch (ObjectDisposedException)
            {
                return; // the host was disposed
            }
            catch (Exception e)
            {
                // A background thread must not end the process: log and keep watching.
                _logger.LogError(e, "hot reload: polling failed");
            }
        }
    }

    private void Poll()
    {
        ObjectDisposedException.ThrowIf(_host.IsDisposed, _host);
        var now = Environment.TickCount64;
        foreach (var library in _host.Libraries)
        {
            if (_stop.IsSet) return;
            if (library.SourceStamp is not { } loaded) continue; // not loaded from a shadow copy
            var stamp = FileStamp.Of(library.FilePath);
            if (stamp is not { } current || current == loaded ||
                (_refused.TryGetValue(library, out var refused) && refused == current))
            {
                _changing.Remove(library); // unchanged, gone (deleted, or between a writer's unlink and rename), or known bad
                continue;
            }
            if (!_changing.TryGetValue(library, out var seen) || seen.Stamp != current)
            {
                _changing[library] = (current, now); // a new change, or still being written
                continue;
            }
            if (now - seen.Since < (long)_debounce.TotalMilliseconds) continue;
            _changing.Remove(library);
            switch (_host.TryReload(library, current, out _, out _))
            {
                case PluginHost.ReloadOutcome.Failed:
                    _refused[library] = current;
                    break;
                case PluginHost.ReloadOutcome.Reloaded:
                    _refused.Remove(library);
                    break;
                case PluginHost.ReloadOutcome.Unsettled:
                    break; // written again meanwhile: the next poll sees the new stamp
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Set();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _stop.Dispose();
    }
}
