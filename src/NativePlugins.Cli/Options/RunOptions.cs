using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("run", HelpText = "Stream lines (stdin or --input) through a pipeline of np.transform/1 plugins to stdout; " +
    "per-stage counts and timing go to stderr. Over a pipe or terminal, each record is written before nplug waits for more input.")]
public sealed class RunOptions : CommonOptions, IIsolationOption
{
    [Option('p', "pipeline", Separator = ',', HelpText = "Plugin ids of the stages, in order: a,b,c.")]
    public IEnumerable<string> Pipeline { get; set; } = [];

    [Option('c', "config", HelpText = "Config of a stage: id=key=value;key=value (repeatable). Applies to every stage " +
        "with that id; '#N=...' addresses stage N (1-based).")]
    public IEnumerable<string> Config { get; set; } = [];

    [Option('f', "definition", HelpText = "A pipeline definition file (JSON, as demo/pipeline.json) instead of --pipeline.")]
    public string? Definition { get; set; }

    [Option('i', "input", HelpText = "Read lines from this file instead of stdin.")]
    public string? Input { get; set; }

    [Option("batch-size", Default = 1024, HelpText = "At most this many records per batch handed to the first stage " +
        "(a pipe that pauses gets what has arrived).")]
    public int BatchSize { get; set; } = 1024;

    [Option("isolate", HelpText = "Run every plugin library in a worker process of its own (nplug-worker, " +
        "PluginIsolation.ProcessPerLibrary): a plugin that crashes, exits or hangs fails its stage with a typed error " +
        "instead of ending nplug.")]
    public bool Isolate { get; set; }

    [Option("memory-limit", HelpText = "With --isolate: the memory each worker may use (bytes, or K/M/G, e.g. 256M), " +
        "enforced by a memory cgroup per worker (IsolationOptions.ResidentMemoryLimitBytes); past it the worker alone is " +
        "killed and its stage fails with a typed error.")]
    public string? MemoryLimit { get; set; }

    [Option('q', "quiet", HelpText = "Do not print the per-stage report on stderr.")]
    public bool Quiet { get; set; }

    [Option('w', "watch", HelpText = "Hot reload: keep running and reload a plugin library when its file changes " +
        "(one line on stderr per reload or refused reload). Stdin streams on through the reloaded pipeline; with " +
        "--input the file is run again after every reload, until nplug is interrupted.")]
    public bool Watch { get; set; }

    [Option("exit-after-reloads", HelpText = "With --watch: exit after this many reload notices (for scripts and tests).")]
    public int? ExitAfterReloads { get; set; }

    // Examples show what a user types: without the defaults (--batch-size 1024 --log-level warn) spelled out.
    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("Upper-case the lines of a file", SkipDefaults, new RunOptions { Pipeline = ["org.nativeplugins.c.upper"], Input = "in.txt" }),
        new("Filter, then upper-case stdin", SkipDefaults, new RunOptions
        {
            Pipeline = ["org.nativeplugins.c.grep", "org.nativeplugins.c.upper"],
            Config = ["org.nativeplugins.c.grep=pattern=error"],
        }),
    ];
}
