using CommandLine;
using CommandLine.Text;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Conformance;
using NativePlugins.Conformance.Reporting;

namespace NativePlugins.Cli.Commands;

/// <summary>Options of <c>nplug check</c>, the ABI conformance runner (the suite lives in NativePlugins.Conformance;
/// this verb only parses options and calls it).</summary>
[Verb("check", HelpText = "ABI conformance test: run the nplug check suite (rules P1..P12 of interop/README.md) on plugin " +
    "libraries of any language. Each check runs in a worker process, so a crashing or hanging plugin is a failed check. " +
    "Exit codes: 0 all passed (or skipped), 1 a check failed, 2 usage, 3 I/O, 4 internal error.")]
public sealed class CheckOptions
{
    [Value(0, MetaName = "library", HelpText = "Plugin library files to check (.so/.dll/.dylib).")]
    public IEnumerable<string> Libraries { get; set; } = [];

    [Option("check", HelpText = "Run only these checks: names, globs (input.*) or rules (P6), comma-separated.")]
    public string? Check { get; set; }

    [Option("list-checks", HelpText = "List every check with its rule and description, and exit.")]
    public bool ListChecks { get; set; }

    [Option("json", HelpText = "Print the report as JSON on stdout instead of the table.")]
    public bool Json { get; set; }

    [Option("junit", HelpText = "Also write the report as JUnit XML to this file (for CI; missing folders are created).")]
    public string? JUnit { get; set; }

    [Option("timeout", Default = 10.0, HelpText = "Seconds a check may run before it fails as hung (heavy checks get a multiple).")]
    public double TimeoutSeconds { get; set; } = 10.0;

    [Option("jobs", HelpText = "Worker processes at a time (default: processor count, at most 4).")]
    public int? Jobs { get; set; }

    [Option("in-process", HelpText = "Run the checks in this process (for a debugger); a crashing plugin then takes nplug down.")]
    public bool InProcess { get; set; }

    [Option('c', "config", HelpText = "Config for one plugin's instances: id=config (repeatable; give the library files first). Default: the empty config.")]
    public IEnumerable<string> Configs { get; set; } = [];

    [Option("interface", HelpText = "A layout manifest of nplug bindgen (layout/<stem>.layout.g.json): plugins listing one of its interfaces get the interface.* checks against it (repeatable; give the library files first).")]
    public IEnumerable<string> Interfaces { get; set; } = [];

    [Option('i', "input", HelpText = "File with the valid records to feed transforms, one per line (default: a built-in sample).")]
    public string? Input { get; set; }

    [Option("panic-record", HelpText = "A record the plugin documents as making it panic/throw: panic.poisoning then requires NP_ERR_PANIC and a poisoned instance.")]
    public string? PanicRecord { get; set; }

    [Option("threads", Default = 4, HelpText = "Threads used by the threading checks.")]
    public int Threads { get; set; } = 4;

    /// <summary>Internal: run as a worker of another nplug check (request on stdin, events on stdout).</summary>
    [Option("worker", Hidden = true)]
    public bool Worker { get; set; }

    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("Check one library", SkipDefaults, new CheckOptions { Libraries = ["plugins/libnp_c_counter.so"] }),
        new("A plugin that needs options", SkipDefaults, new CheckOptions { Libraries = ["plugins/libnp_c_text.so"], Configs = ["org.nativeplugins.c.grep=pattern=error"] }),
        new("A plugin of your own interface", SkipDefaults, new CheckOptions { Libraries = ["libgreeter_c.so"], Interfaces = ["generated/layout/greeter.layout.g.json"] }),
        new("Only the input-handling checks, JSON out", SkipDefaults, new CheckOptions { Libraries = ["plugins/libnp_c_counter.so"], Check = "input.*", Json = true }),
        new("CI: JUnit report", SkipDefaults, new CheckOptions { Libraries = ["plugins/libnp_c_counter.so", "plugins/libnp_rust_samples.so"], JUnit = "nplug-check.xml" }),
    ];
}

/// <summary><c>nplug check</c>: maps the options onto <see cref="ConformanceRunner"/> and the reporters.</summary>
internal static class CheckCommand
{
    public static int Run(CheckOptions o, CliConsole console)
    {
        if (o.Worker) return ConformanceWorker.Run(new StreamReader(console.StdIn));
        if (o.ListChecks) return ListChecks(o, console);

        // A sequence option takes every value after it, so "-c id=x lib.so" hands the library to --config: a "config"
        // without '=' that names a file is a library.
        var libraries = o.Libraries.ToList();
        var configArgs = new List<string>();
        foreach (var c in o.Configs)
        {
            if (!c.Contains('=') && File.Exists(c)) libraries.Add(c);
            else configArgs.Add(c);
        }
        // The same for --interface: a manifest is JSON, so an existing file that is not one is a library.
        var manifestArgs = new List<string>();
        foreach (var m in o.Interfaces)
        {
            if (!m.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(m)) libraries.Add(m);
            else manifestArgs.Add(m);
        }
        var patterns = o.Check is null ? new List<string>() : [o.Check];
        if (libraries.Count == 0) throw new UsageException("check: missing argument <library>: give at least one library file (or --list-checks)");
        foreach (var l in libraries)
            if (!File.Exists(l)) throw new UsageException($"check: {l}: no such file");
        if (o.TimeoutSeconds <= 0) throw new UsageException("check: --timeout must be positive");

        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in configArgs)
        {
            var eq = c.IndexOf('=');
            if (eq <= 0) throw new UsageException($"check: --config '{c}' is not <plugin-id>=<config>");
            configs[c[..eq]] = c[(eq + 1)..];
        }

        var interfaces = manifestArgs.SelectMany(InterfaceManifests.Load).ToList();
        if (interfaces.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"check: interface {twice.Key} is described by more than one --interface manifest");

        IReadOnlyList<string>? records = null;
        if (o.Input is { } input) records = File.ReadAllLines(input).Where(l => l.Length > 0).ToList();

        try { _ = ConformanceSuite.Select(patterns); }
        catch (ArgumentException e) { throw new UsageException($"check: {e.Message}"); }

        var options = new ConformanceOptions
        {
            Libraries = libraries,
            CheckPatterns = patterns,
            CheckTimeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
            Jobs = o.Jobs ?? Math.Clamp(Environment.ProcessorCount, 1, 4),
            InProcess = o.InProcess,
            Interfaces = interfaces,
            Worker = WorkerLaunch.CurrentProcess("check", "--worker"),
            Settings = new SuiteSettings { Configs = configs, Records = records, PanicRecord = o.PanicRecord, Threads = o.Threads },
        };

        // The report's folder is made before the run, so a path that cannot be written fails in a second, not after
        // the whole suite (CI passes paths like reports/nplug/check.xml into a fresh checkout).
        if (o.JUnit is { } junitPath) CreateParentDirectory(junitPath);

        ConformanceReport report;
        if (o.Json)
        {
            report = ConformanceRunner.Run(options);
            JsonReporter.Write(report, console.Out);
        }
        else
        {
            var terminal = !Console.IsOutputRedirected && console.StdOut is not MemoryStream;
            // The report's table pads every cell; on a terminal that is invisible, anywhere else it is noise.
            var output = terminal ? console.Out : new LineEndTrimmingWriter(console.Out);
            report = new ConsoleReporter(output, terminal).Run(observer => ConformanceRunner.Run(options with { Observer = observer }));
            output.Flush();
        }
        if (o.JUnit is { } junit) JUnitReporter.Write(report, junit);
        console.Out.Flush();
        return report.ExitCode;
    }

    private static void CreateParentDirectory(string file)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (string.IsNullOrEmpty(dir)) return;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"check: --junit {file}: cannot create the folder {dir}: {e.Message}", e);
        }
    }

    private static string Scope(CheckScope scope) => scope switch
    {
        CheckScope.Transform => "per plugin",
        CheckScope.Interface => "per interface",
        _ => "library",
    };

    private static int ListChecks(CheckOptions o, CliConsole console)
    {
        IReadOnlyList<CheckInfo> checks;
        try { checks = ConformanceSuite.Select(o.Check is null ? [] : [o.Check]); }
        catch (ArgumentException e) { throw new UsageException($"check: {e.Message}"); }
        if (o.Json)
        {
            using var stream = new MemoryStream();
            using (var j = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                j.WriteStartArray();
                foreach (var c in checks)
                {
                    j.WriteStartObject();
                    j.WriteString("name", c.Name);
                    j.WriteString("rule", c.Rule);
                    j.WriteString("scope", c.Scope.ToString().ToLowerInvariant());
                    j.WriteString("description", c.Description);
                    j.WriteEndObject();
                }
                j.WriteEndArray();
            }
            console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            return ExitCodes.Ok;
        }
        foreach (var rule in checks.GroupBy(c => c.Rule))
        {
            console.Out.WriteLine($"{rule.Key}  {ConformanceSuite.RuleTitles.GetValueOrDefault(rule.Key, "")}");
            foreach (var c in rule)
                console.Out.WriteLine($"  {c.Name,-34} {Scope(c.Scope),-13}  {c.Description}");
        }
        return ExitCodes.Ok;
    }
}
