using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("list", HelpText = "List the plugins of every library in the given directories (default: the search path), " +
    "and every file that was refused with its reason. Libraries are scanned in a child process (nplug-scan) and the " +
    "results cached, so a library that crashes, exits or hangs while loading is listed as bad and the others still are.")]
public sealed class ListOptions : CommonOptions
{
    [Value(0, MetaName = "dir", HelpText = "Directories to scan. Without any, the search path is scanned.")]
    public IEnumerable<string> Directories { get; set; } = [];

    [Option("json", HelpText = "Print JSON instead of a table.")]
    public bool Json { get; set; }

    [Option("no-cache", HelpText = "Scan every library again: neither read nor write the registry cache " +
        "($XDG_CACHE_HOME/nativeplugins/registry-v2.bin).")]
    public bool NoCache { get; set; }

    [Option("scan-timeout", Default = 10.0, HelpText = "Seconds loading one library in the scanner may take before it " +
        "is killed and the library listed as ScanTimedOut.")]
    public double ScanTimeout { get; set; } = 10.0;

    [Option("isolate", HelpText = "Scan every library in a child process (nplug-scan), restarted after a library " +
        "that crashes, exits or hangs, which is listed as bad with its reason. The default; spelled out for scripts " +
        "that must not depend on it. Excludes --in-process.")]
    public bool Isolate { get; set; }

    [Option("in-process", HelpText = "Load every library into nplug instead of scanning it out of process (faster " +
        "without a warm cache, but a library that crashes, exits or hangs then takes nplug with it; for a debugger). " +
        "Excludes --isolate.")]
    public bool InProcess { get; set; }

    // Examples show what a user types: without the defaults (--batch-size 1024 --log-level warn) spelled out.
    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("List the bundled plugins", SkipDefaults, new ListOptions()),
        new("List two directories", SkipDefaults, new ListOptions { Directories = ["build/native/plugins", "build/native/fixtures"] }),
        new("Scan again, ignoring the cache", SkipDefaults, new ListOptions { Directories = ["plugins"], NoCache = true }),
        new("Scan untrusted libraries out of process, whatever the defaults", SkipDefaults,
            new ListOptions { Directories = ["downloads"], Isolate = true }),
    ];
}
