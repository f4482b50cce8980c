using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("new", HelpText = "Create a plugin project outside this repository: nplug new c|rust|csharp <plugin-id> " +
    "[--interface <ns.name/N>] [--output <dir>] [--force]. An np.transform/1 that upper-cases records (config " +
    "prefix=<text>), or with --interface a starter contract header (include/<ns>/<name>.h), its bindings (generated/, " +
    "by nplug bindgen) and a plugin implementing it; README.md says how to build and check it. Names come from the " +
    "plugin id: dots and dashes become underscores for the library, crate and C names (com.example.hello -> " +
    "libcom_example_hello.so), PascalCase for the C# and Rust type (ComExampleHello) and the C# namespace " +
    "(Com.Example.Hello); the interface acme.hello/1 gives include/acme/hello.h, acme_hello_v1_t and AcmeHelloV1.")]
public sealed class NewOptions
{
    [Value(0, MetaName = "language", Required = true, HelpText = "c, rust or csharp.")]
    public string Language { get; set; } = "";

    [Value(1, MetaName = "plugin-id", Required = true, HelpText = "The plugin's id: reverse-DNS (com.example.hello), " +
        "lower-case, starting with a letter.")]
    public string PluginId { get; set; } = "";

    [Option("interface", HelpText = "Implement an interface of your own instead of np.transform/1: its id, " +
        "<ns>.<name>/<revision> (acme.hello/1). The project gets a starter header for it and bindgen's bindings.")]
    public string? Interface { get; set; }

    [Option('o', "output", HelpText = "The project folder (default: ./<name>, the plugin id with dots and dashes as " +
        "underscores). Refused when it exists and is not empty, unless --force.")]
    public string? Output { get; set; }

    [Option("force", HelpText = "Write into an existing, non-empty folder; the template's files replace files of the " +
        "same name, other files stay.")]
    public bool Force { get; set; }

    [Option("rust-sdk", HelpText = "rust: depend on this nplug-sdk folder (and the nplug-abi folder next to it) by " +
        "path instead of copying nplug's own copies into vendor/.")]
    public string? RustSdk { get; set; }

    private static readonly UnParserSettings SkipDefaults = new() { SkipDefault = true };

    [Usage(ApplicationAlias = "nplug")]
    public static IEnumerable<Example> Examples =>
    [
        new("A transform in C", SkipDefaults, new NewOptions { Language = "c", PluginId = "com.example.hello" }),
        new("A Rust plugin of your own interface", SkipDefaults,
            new NewOptions { Language = "rust", PluginId = "com.example.hello", Interface = "acme.hello/1" }),
        new("A C# transform in a given folder", SkipDefaults,
            new NewOptions { Language = "csharp", PluginId = "com.example.hello", Output = "hello-cs" }),
    ];
}
