using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("inspect", HelpText = "Load one library file and show everything it declares: ABI versions, SDK, layout " +
    "fingerprint, and each plugin's metadata, interfaces and threading model.")]
public sealed class InspectOptions
{
    [Value(0, MetaName = "file", Required = true, HelpText = "The library file (.so/.dll/.dylib).")]
    public string File { get; set; } = "";

    [Option("json", HelpText = "Print JSON (for tools).")]
    public bool Json { get; set; }

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("Inspect a library", new InspectOptions { File = "plugins/libnp_c_text.so" }),
        new("Inspect as JSON", new InspectOptions { File = "plugins/libnp_c_text.so", Json = true }),
    ];
}
