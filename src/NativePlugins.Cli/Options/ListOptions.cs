using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("list", HelpText = "List the plugins of every library in the given directories (default: the search path), " +
    "and every file that failed to load with its reason.")]
public sealed class ListOptions : CommonOptions
{
    [Value(0, MetaName = "dir", HelpText = "Directories to scan. Without any, the search path is scanned.")]
    public IEnumerable<string> Directories { get; set; } = [];

    [Option("json", HelpText = "Print JSON instead of a table.")]
    public bool Json { get; set; }

    // Examples show what a user types: without the defaults (--batch-size 1024 --log-level warn) spelled out.
    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("List the bundled plugins", SkipDefaults, new ListOptions()),
        new("List two directories", SkipDefaults, new ListOptions { Directories = ["build/native/plugins", "build/native/fixtures"] }),
    ];
}
