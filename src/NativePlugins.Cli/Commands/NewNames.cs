using NativePlugins.Cli.Infrastructure;
using NativePlugins.Generator.Bindgen;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// The names <c>nplug new</c> derives from a plugin id, deterministically (the verb's help explains them):
/// <c>com.example.hello-world</c> gives the file/crate/C name <c>com_example_hello_world</c>
/// (<c>libcom_example_hello_world.so</c>), the type name <c>ComExampleHelloWorld</c> and the C# namespace
/// <c>Com.Example.HelloWorld</c>. Words become PascalCase exactly as bindgen's names do (<see cref="InterfaceIds.Pascal"/>).
/// </summary>
internal sealed record PluginNames(string Id, string Name, string TypeName, string Namespace)
{
    public static PluginNames FromId(string id)
    {
        // The syntax is rule P2's, checked by the code the host and nplug check use.
        if (!NpDescriptorRules.IsValidPluginId(id))
            throw new UsageException($"new: '{id}' is not a plugin id: reverse-DNS, lower-case letters, digits, '_' and " +
                "'-' (^[a-z0-9]+(\\.[a-z0-9_-]+)+$, at most " + NpDescriptorRules.MaxPluginIdBytes + " bytes), e.g. com.example.hello");
        // P2 allows a leading digit; C identifiers, crate names and C# types do not.
        if (!char.IsAsciiLetterLower(id[0]))
            throw new UsageException($"new: plugin id '{id}' must start with a letter: it names the library, the crate " +
                "and C and C# identifiers");
        var labels = id.Split('.');
        return new PluginNames(id, Snake(id), string.Concat(labels.Select(InterfaceIds.Pascal)),
            string.Join('.', labels.Select(InterfaceIds.Pascal)));
    }

    /// <summary>Dots and dashes to underscores: an identifier in C and Rust, and a file name everywhere.</summary>
    public static string Snake(string words) => words.Replace('.', '_').Replace('-', '_');
}

/// <summary>
/// The names of the starter contract for an interface id <c>ns.name/R</c> (interop/interfaces.md, rule I7: every
/// declaration starts with the first label). <c>acme.hello/1</c>: header <c>include/acme/hello.h</c>, instance type
/// <c>acme_hello_t</c>, vtable <c>acme_hello_v1_t</c>, id macro <c>ACME_HELLO_ID</c>; bindgen then names the C#/Rust
/// interface <c>AcmeHelloV1</c> (from the vtable, by <see cref="InterfaceIds.Pascal"/>), the C# namespace
/// <c>Acme.Hello</c> and the Rust module <c>hello</c>, both passed to it explicitly.
/// </summary>
internal sealed record InterfaceNames(string Id, string Prefix, string Stem, string CName, string VTable, string TypeName,
    string Namespace, string RustModule)
{
    public static InterfaceNames FromId(string id)
    {
        if (!NpDescriptorRules.IsValidInterfaceId(id))
            throw new UsageException($"new: --interface '{id}' is not an interface id: <ns>.<name>/<revision>, lower-case " +
                "letters, digits, '_' and '-', revision from 1 (e.g. acme.hello/1)");
        int slash = id.LastIndexOf('/');
        var labels = id[..slash].Split('.');
        if (labels.Length < 2)
            throw new UsageException($"new: --interface '{id}' needs a namespace and a name (<ns>.<name>/<revision>, e.g. " +
                "acme.hello/1): the namespace is the prefix of the header's declarations (rule I7)");
        string prefix = InterfaceIds.Prefix(id);
        if (prefix == "np")
            throw new UsageException($"new: --interface '{id}': the namespace np belongs to the ABI's own interfaces (rule I7)");
        if (!char.IsAsciiLetterLower(prefix[0]))
            throw new UsageException($"new: --interface '{id}' must start with a letter: its namespace prefixes C identifiers");
        string stem = PluginNames.Snake(string.Join('_', labels[1..]));
        string cName = prefix + "_" + stem;
        string vtable = $"{cName}_v{InterfaceIds.Revision(id)}";
        string module = char.IsAsciiDigit(stem[0]) ? "_" + stem : stem;
        return new InterfaceNames(id, prefix, stem, cName, vtable, InterfaceIds.Pascal(vtable),
            InterfaceIds.DefaultNamespace(id), module);
    }

    /// <summary>The contract header, relative to the project.</summary>
    public string HeaderPath => $"include/{Prefix}/{Stem}.h";

    /// <summary>The bindgen arguments that (re)generate the project's bindings, run in the project folder.</summary>
    public string[] BindgenArguments =>
        [HeaderPath, "--include", "include", "--csharp-namespace", Namespace, "--rust-module", RustModule, "--out", "generated"];
}
