using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Emit.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.PluginSdk.Tests.Interfaces;

/// <summary>
/// The acme.greeter/1 example (tests/examples/greeter) as `nplug bindgen` sees it: its <see cref="ContractModel"/>,
/// parsed from the header with the command of the example, and the C# bindgen writes from it.
/// </summary>
internal static class GreeterModel
{
    private static readonly string[] Command =
        ["include/acme/greeter.h", "--include", "include", "--csharp-namespace", "Acme.Greeter", "--rust-module", "greeter", "--out", "generated"];

    private static readonly Lazy<ContractModel> s_model = new(() =>
    {
        string dir = Path.Combine(RepoLayout.RepoRoot, "tests", "examples", "greeter");
        var request = new BindgenRequest([RepoLayout.RepoFile("tests/examples/greeter/include/acme/greeter.h")], [Path.Combine(dir, "include")],
            Path.Combine(RepoLayout.RepoRoot, "interop", "include"), "Acme.Greeter", "greeter", Bindgen.CommandLine(Command));
        return ContractBuilder.Build(request) with { Headers = ["include/acme/greeter.h"] };
    });

    public static ContractModel Build() => s_model.Value;

    /// <summary>csharp/Greeter.g.cs: the raw declarations (structs, constants, AcmeGreeterV1Contract).</summary>
    public static (string Path, string Text) RawBindings() => CSharpContractEmitter.Emit(Build()).Single();

    /// <summary>csharp/Greeter.Plugin.g.cs: the C# plugin side.</summary>
    public static (string Path, string Text) PluginGlue() => CSharpPluginGlueEmitter.Emit(Build()).Single();
}
