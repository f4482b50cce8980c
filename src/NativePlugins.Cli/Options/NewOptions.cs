using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Options;

[Verb("new", HelpText = "Create a plugin project that builds with its own language's tools and passes nplug check: " +
    "nplug new c|rust|csharp <plugin-id> [--interface <ns.name/N>] [--output <dir>] [--force]. An np.transform/1 that " +
    "upper-cases records (config prefix=<text>), or with --interface a starter contract header, its bindings (by nplug " +
    "bindgen) and a plugin implementing it. README.md in the project says how to build and check it.")]
public sealed class NewOptions
{
    [Value(0, MetaName = "language", Required = true, HelpText = "c, rust or csharp.")]
    public string Language { get; set; } = "";

    [Value(1, MetaName = "plugin-id", Required = true, HelpText = "The plugin's id: reverse-DNS, lower-case, starting " +
        "with a letter. It names everything: com.example.hello-world gives the library, crate and C prefix " +
        "com_example_hello_world (dots and dashes as underscores; libcom_example_hello_world.so), the C#/Rust type " +
        "ComExampleHelloWorld and the C# namespace Com.Example.HelloWorld (each label in PascalCase).")]
    public string PluginId { get; set; } = "";

    [Option("interface", HelpText = "Implement an interface of your own instead of np.transform/1: its id, " +
        "<ns>.<name>/<revision> (acme.hello/1). The project gets the starter header include/acme/hello.h (vtable acme_hello_v1_t, instance " +
        "acme_hello_t; the other labels joined by underscores name the file) and bindgen's bindings in generated/, " +
        "where the interface is AcmeHelloV1 (C# IAcmeHelloV1 in namespace Acme.Hello, Rust module hello).")]
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
