using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("demo", HelpText = "Run the bundled sample pipeline (demo/pipeline.json) over the bundled sample data and show " +
    "what each stage did.")]
public sealed class DemoOptions : CommonOptions, IIsolationOption
{
    [Option('f', "definition", HelpText = "Another pipeline definition file (default: demo/pipeline.json next to nplug).")]
    public string? Definition { get; set; }

    [Option('i', "input", HelpText = "Other input lines (default: the file the definition names).")]
    public string? Input { get; set; }

    [Option("batch-size", Default = 256, HelpText = "Records per batch handed to the first stage.")]
    public int BatchSize { get; set; } = 256;

    [Option("isolate", HelpText = "Run every plugin library in a worker process of its own (nplug-worker, " +
        "PluginIsolation.ProcessPerLibrary): a plugin that crashes, exits or hangs fails its stage with a typed error " +
        "instead of ending nplug.")]
    public bool Isolate { get; set; }

    [Option("memory-limit", HelpText = "With --isolate: the memory each worker may use (bytes, or K/M/G, e.g. 256M), " +
        "enforced by a memory cgroup per worker (IsolationOptions.ResidentMemoryLimitBytes); past it the worker alone is " +
        "killed and its stage fails with a typed error.")]
    public string? MemoryLimit { get; set; }

    // Examples show what a user types: without the defaults (--batch-size 1024 --log-level warn) spelled out.
    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples => [new("Run the demo", SkipDefaults, new DemoOptions())];
}
