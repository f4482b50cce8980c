using NativePlugins.Conformance.Suite;
using Spectre.Console;

namespace NativePlugins.Conformance.Reporting;

/// <summary>
/// The human output of <c>nplug check</c>: a progress bar while the suite runs (only on an interactive terminal), then
/// per library a table of verdicts and the details of every failure. Without a terminal (CI logs, pipes) it prints
/// plain text without colour or cursor movement, wide enough not to wrap.
/// </summary>
public sealed class ConsoleReporter
{
    private readonly IAnsiConsole _console;
    private readonly bool _interactive;

    /// <param name="output">Where to write (the CLI's stdout).</param>
    /// <param name="isTerminal">Whether <paramref name="output"/> is an interactive terminal (colours, progress bar).</param>
    public ConsoleReporter(TextWriter output, bool isTerminal)
    {
        _interactive = isTerminal;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!isTerminal) _console.Profile.Width = 200;
    }

    /// <summary>Runs <paramref name="run"/> (given the observer to pass in <see cref="ConformanceOptions.Observer"/>)
    /// under a live progress display, then prints the report.</summary>
    public ConformanceReport Run(Func<IConformanceObserver, ConformanceReport> run)
    {
        ConformanceReport report;
        if (_interactive)
        {
            report = _console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx => run(new ProgressObserver(ctx)));
        }
        else
        {
            report = run(new PlainObserver(_console));
        }
        Print(report);
        return report;
    }

    /// <summary>Prints a finished report.</summary>
    public void Print(ConformanceReport report)
    {
        foreach (var library in report.Libraries) PrintLibrary(library);
        var verdict = report.Failed == 0 ? "[green]PASS[/]" : "[red]FAIL[/]";
        _console.MarkupLine(
            $"{verdict} {report.Passed} passed, {report.Failed} failed, {report.Skipped} skipped " +
            $"({report.Libraries.Count} librar{(report.Libraries.Count == 1 ? "y" : "ies")}, {report.Duration.TotalSeconds:0.0} s)");
    }

    private void PrintLibrary(LibraryReport l)
    {
        _console.WriteLine();
        _console.MarkupLine($"[bold]{Markup.Escape(l.Path)}[/]");
        if (l.Sdk is not null)
            _console.MarkupLine($"  sdk {Markup.Escape(l.Sdk.Length == 0 ? "(not given)" : l.Sdk)}; " +
                                $"{l.Plugins.Count} plugin(s): {Markup.Escape(string.Join(", ", l.Plugins.Select(p => $"{p.Id} ({p.Threading}; {string.Join(" ", p.Interfaces)})")))}");
        if (l.DescribeError is not null) _console.MarkupLine($"  [red]{Markup.Escape(l.DescribeError)}[/]");

        // The plugin column only when there is more than one plugin (or plugin interface) to tell apart.
        var showPlugin = l.Results.Select(Target).Where(p => p is not null).Distinct().Count() > 1;
        var table = new Table().Border(_interactive ? TableBorder.Rounded : TableBorder.Simple);
        table.AddColumn("verdict");
        table.AddColumn(new TableColumn("check") { NoWrap = true });
        table.AddColumn("rule");
        if (showPlugin) table.AddColumn("plugin");
        table.AddColumn(new TableColumn("result") { NoWrap = false });
        foreach (var r in l.Results)
        {
            var cells = new List<Spectre.Console.Rendering.IRenderable> { new Markup(Verdict(r.Verdict)), new Text(r.Check), new Text(r.Rule) };
            if (showPlugin) cells.Add(new Text(Target(r) ?? "-"));
            cells.Add(new Text(r.Summary));
            table.AddRow(cells);
        }
        _console.Write(table);

        foreach (var r in l.Results.Where(r => r.Verdict == CheckVerdict.Fail))
        {
            _console.MarkupLine($"[red]FAIL[/] [bold]{Markup.Escape(r.Check)}[/] ({r.Rule}: {Markup.Escape(ConformanceSuite.RuleTitles.GetValueOrDefault(r.Rule, ""))})" +
                                (Target(r) is { } target ? $" on {Markup.Escape(target)}" : ""));
            _console.WriteLine($"    {r.Summary}");
            foreach (var d in r.Details.Where(d => !r.Summary.StartsWith(d, StringComparison.Ordinal))) _console.WriteLine($"    {d}");
        }
        _console.MarkupLine($"  {l.Passed} passed, {l.Failed} failed, {l.Skipped} skipped in {l.Duration.TotalSeconds:0.0} s");
    }

    /// <summary>What a result is about beyond the library: the plugin, and for interface checks the interface.</summary>
    private static string? Target(CheckResult r) => r.InterfaceId is { } i ? $"{r.PluginId ?? "-"} {i}" : r.PluginId;

    private static string Verdict(CheckVerdict v) => v switch
    {
        CheckVerdict.Pass => "[green]pass[/]",
        CheckVerdict.Fail => "[red]FAIL[/]",
        _ => "[grey]skip[/]",
    };

    /// <summary>One progress task per library.</summary>
    private sealed class ProgressObserver(ProgressContext context) : IConformanceObserver
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];
        private readonly object _lock = new();

        public void LibraryStarted(string path, int plannedChecks)
        {
            lock (_lock) _tasks[path] = context.AddTask(Markup.Escape(Path.GetFileName(path)), maxValue: Math.Max(plannedChecks, 1));
        }

        public void ChecksPlanned(string path, int additionalChecks)
        {
            lock (_lock) _tasks[path].MaxValue += additionalChecks;
        }

        public void CheckFinished(string path, CheckResult result)
        {
            lock (_lock)
            {
                var task = _tasks[path];
                task.Increment(1);
                task.Description = Markup.Escape($"{Path.GetFileName(path)}: {result.Check}") +
                                   (result.Verdict == CheckVerdict.Fail ? " [red]FAIL[/]" : "");
            }
        }

        public void LibraryFinished(LibraryReport report)
        {
            lock (_lock)
            {
                var task = _tasks[report.Path];
                task.Description = Markup.Escape(Path.GetFileName(report.Path)) +
                                   (report.Failed == 0 ? " [green]done[/]" : $" [red]{report.Failed} failed[/]");
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }
    }

    /// <summary>Without a terminal: one line when a library starts, nothing per check (the table follows).</summary>
    private sealed class PlainObserver(IAnsiConsole console) : IConformanceObserver
    {
        public void LibraryStarted(string path, int plannedChecks) => console.WriteLine($"checking {path} ...");
        public void ChecksPlanned(string path, int additionalChecks) { }
        public void CheckFinished(string path, CheckResult result) { }
        public void LibraryFinished(LibraryReport report) { }
    }
}
