using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug run --watch</c>: the pipeline of <c>run</c> on a hot-reloading host (PluginHost.Watch). Each
/// reload, or refused reload, prints one line on stderr (<c>nplug: reloaded ...</c> / <c>nplug: reload failed
/// ...</c>). Stdin is streamed once and the pipeline moves to new versions between batches; an <c>--input</c> file is
/// run once, then again after every successful reload, until Ctrl+C (or <c>--exit-after-reloads</c> notices).</summary>
internal static class WatchCommand
{
    public static int Run(RunOptions o, List<PipelineStage> stages, CliConsole console)
    {
        using var host = HostFactory.Create(o, console.Error, hotReload: true);
        var discovery = host.LoadFromSearchPath();
        foreach (var e in discovery.Errors) console.Error.WriteLine($"nplug: warning: {e.Message}");

        using var notices = new SemaphoreSlim(0);
        using var reruns = new SemaphoreSlim(0);
        var stderrLock = new Lock();
        void Notice(string line, bool rerun)
        {
            lock (stderrLock) console.Error.WriteLine($"nplug: {line}");
            if (rerun) reruns.Release();
            notices.Release();
        }
        host.Reloaded += (_, e) => Notice(e.Message, rerun: true);
        host.ReloadFailed += (_, e) => Notice(e.Message, rerun: false);

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler cancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += cancel;
        try
        {
            using var pipeline = PipelineRunner.Create(host, stages, discovery);
            using var watcher = host.Watch();
            int seen = 0;
            bool Done()
            {
                if (o.ExitAfterReloads is not { } limit) return false;
                while (notices.Wait(0)) seen++;
                return seen >= limit;
            }
            if (o.Input is null)
            {
                var result = PipelineRunner.Run(pipeline, console.StdIn, console.StdOut, o.BatchSize);
                if (!o.Quiet) PipelineRunner.Report(pipeline, result, console.Error);
                // stdin cannot be read again: wait only for the notices a script asked for.
                while (o.ExitAfterReloads is not null && !Done() && !stop.IsCancellationRequested)
                    WaitAny(notices, stop.Token, ref seen);
                return ExitCodes.Ok;
            }
            while (true)
            {
                using (var file = RunCommand.OpenInput(o.Input))
                {
                    var result = PipelineRunner.Run(pipeline, file, console.StdOut, o.BatchSize);
                    if (!o.Quiet) PipelineRunner.Report(pipeline, result, console.Error);
                }
                if (Done()) return ExitCodes.Ok;
                // Wait for a successful reload (then run again) or for the end; a failed reload only prints its line.
                while (!reruns.Wait(TimeSpan.FromMilliseconds(100), CancellationToken.None))
                    if (Done() || stop.IsCancellationRequested) return ExitCodes.Ok;
            }
        }
        finally
        {
            Console.CancelKeyPress -= cancel;
        }
    }

    private static void WaitAny(SemaphoreSlim notices, CancellationToken stop, ref int seen)
    {
        try
        {
            if (notices.Wait(TimeSpan.FromMilliseconds(100), stop)) seen++;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
