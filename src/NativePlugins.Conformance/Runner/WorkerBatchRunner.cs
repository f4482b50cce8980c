using System.Diagnostics;
using System.Text;

namespace NativePlugins.Conformance.Runner;

/// <summary>Units that run one after another in one worker process (restarted after a crash or a hang).</summary>
internal sealed record WorkerBatch(string Library, bool Describe, IReadOnlyList<(WorkUnit Unit, CheckInfo Info)> Units);

/// <summary>
/// Runs a <see cref="WorkerBatch"/> out of process. A unit whose worker dies (a signal, an abort) or does not report
/// within its timeout fails with that reason, its last announced phase and the tail of the worker's stderr; the units
/// after it continue in a fresh worker.
/// </summary>
internal sealed class WorkerBatchRunner(WorkerLaunch launch, TimeSpan checkTimeout, SuiteSettings settings,
    IReadOnlyList<InterfaceContractWire> interfaces)
{
    /// <summary>Time a worker may take to start the runtime and enter the library before its first unit starts.</summary>
    private static readonly TimeSpan StartupAllowance = TimeSpan.FromSeconds(30);
    private const int StderrLines = 30;

    public void Run(WorkerBatch batch, Action<LibraryDescription> described, Action<CheckResult> finished)
    {
        var pending = batch.Units.ToList();
        var describe = batch.Describe;
        var failedStarts = 0;
        while (pending.Count > 0 || describe)
        {
            var outcome = RunWorker(batch.Library, describe, pending, described, finished);
            if (outcome.Described) describe = false;
            pending = pending.Skip(outcome.Completed).ToList();
            if (outcome.Progress) { failedStarts = 0; continue; }

            // The worker died before it reported anything: the describe step crashed (a library that kills the process
            // in np_entry), or the worker itself cannot start.
            if (describe)
            {
                described(new LibraryDescription(null, [], $"the worker died while entering the library: {outcome.Exit}"));
                describe = false;
                continue;
            }
            if (++failedStarts < 2) continue;
            foreach (var (unit, info) in pending)
                finished(new CheckResult(info.Name, info.Rule, unit.PluginId, CheckVerdict.Fail,
                    $"nplug check could not run a worker process: {outcome.Exit}", outcome.Stderr, TimeSpan.Zero, unit.InterfaceId));
            return;
        }
    }

    private sealed record WorkerOutcome(bool Described, int Completed, bool Progress, string Exit, IReadOnlyList<string> Stderr);

    private WorkerOutcome RunWorker(string library, bool describe, IReadOnlyList<(WorkUnit Unit, CheckInfo Info)> units,
                                    Action<LibraryDescription> described, Action<CheckResult> finished)
    {
        var start = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in launch.Arguments) start.ArgumentList.Add(a);
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";

        var stderr = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                while (stderr.Count > StderrLines) stderr.Dequeue();
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        var request = new WorkerRequest(library, describe, units.Select(u => u.Unit).ToList(), settings, interfaces);
        process.StandardInput.Write(WorkerJson.Serialize(request));
        process.StandardInput.Close();

        var didDescribe = false;
        var completed = 0;
        int? current = null;
        string? phase = null;
        var clock = Stopwatch.StartNew();
        var deadline = StartupAllowance + (describe ? checkTimeout : TimeSpan.Zero);
        string? killedFor = null;
        var done = false;

        while (true)
        {
            var read = process.StandardOutput.ReadLineAsync();
            var remaining = deadline - clock.Elapsed;
            if (remaining < TimeSpan.Zero || !read.Wait(remaining))
            {
                killedFor = current is { } u
                    ? $"did not finish within {Timeout(units[u].Info).TotalSeconds:0.#} s (hung or far too slow) and was killed"
                    : $"the library did not become usable within {deadline.TotalSeconds:0} s (np_entry or init hangs?) and the worker was killed";
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                break;
            }
            var line = read.Result;
            if (line is null) break;
            WorkerEvent? e;
            try { e = WorkerJson.ParseEvent(line); }
            catch (System.Text.Json.JsonException) { continue; } // not ours (cannot happen: plugin stdout goes to stderr)
            if (e is null) continue;
            switch (e.Event)
            {
                case WorkerEvent.Described when e.Description is not null:
                    didDescribe = true;
                    described(e.Description);
                    break;
                case WorkerEvent.Start when e.Unit is { } u:
                    current = u;
                    phase = null;
                    clock.Restart();
                    deadline = Timeout(units[u].Info);
                    break;
                case WorkerEvent.Phase:
                    phase = e.Text;
                    break;
                case WorkerEvent.Finished when e.Result is not null:
                    finished(e.Result);
                    completed++;
                    current = null;
                    clock.Restart();
                    deadline = StartupAllowance;
                    break;
                case WorkerEvent.Done:
                    done = true;
                    break;
            }
            if (done) break;
        }

        if (!process.WaitForExit(10_000))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
        }
        process.WaitForExit(); // drains the stderr reader
        List<string> tail;
        lock (stderr) tail = stderr.ToList();
        var exit = killedFor ?? Signals.DescribeExit(process.ExitCode);

        if (done) return new WorkerOutcome(didDescribe, completed, true, exit, tail);
        if (current is { } crashed)
        {
            var (unit, info) = units[crashed];
            var details = new List<string>();
            if (phase is not null) details.Add($"while: {phase}");
            if (tail.Count > 0)
            {
                details.Add("worker stderr (last lines):");
                details.AddRange(tail.Select(l => "  " + l));
            }
            var summary = killedFor is not null
                ? $"{exit}{(phase is null ? "" : $" (while: {phase})")}"
                : $"crashed: the worker was {exit}{(phase is null ? "" : $" (while: {phase})")}";
            finished(new CheckResult(info.Name, info.Rule, unit.PluginId, CheckVerdict.Fail, summary, details,
                clock.Elapsed, unit.InterfaceId));
            return new WorkerOutcome(didDescribe, completed + 1, true, exit, tail);
        }
        return new WorkerOutcome(didDescribe, completed, didDescribe || completed > 0, exit, tail);
    }

    private TimeSpan Timeout(CheckInfo info) => checkTimeout * info.TimeoutScale;
}
