using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("manifest", HelpText = "Write the sidecar manifest <library>.nplug.json of each library (at build time): what it " +
    "declares, from an out-of-process scan, with the file's SHA-256. Discovery (nplug list, PluginHost.Discover) then " +
    "lists the library from it without running it; what it promises is checked when the library is loaded.")]
public sealed class ManifestOptions
{
    [Value(0, MetaName = "library", Required = true, HelpText = "The library files (.so).")]
    public IEnumerable<string> Files { get; set; } = [];

    [Option("scan-timeout", Default = 10.0, HelpText = "Seconds loading one library in the scanner may take.")]
    public double ScanTimeout { get; set; } = 10.0;

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("Write build/libshout.so.nplug.json", new UnParserSettings { SkipDefault = true },
            new ManifestOptions { Files = ["build/libshout.so"] }),
    ];
}
