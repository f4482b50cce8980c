using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NativePlugins.PluginSdk.Generators;

namespace NativePlugins.PluginSdk.Tests.Generator;

/// <summary>The source generator on sample plugin classes: what it emits, that it compiles, and its diagnostics.</summary>
public sealed class GeneratorTests
{
    private const string Usings = """
        using System;
        using NativePlugins.PluginSdk;
        """;

    private const string ValidPlugin = Usings + """
        namespace Sample;

        [NativePlugin("org.example.upper", Name = "Upper \"case\"", Version = "2.1.0-beta.1", Description = "Uppercases", Vendor = "Example")]
        public sealed class Upper : TransformPlugin
        {
            public Upper(PluginConfig config, PluginHost host) { }
            public override void Process(RecordBatch batch, Emitter output) { }
        }

        [NativePlugin("org.example.count", Threading = PluginThreading.ThreadSafe)]
        internal sealed class Count : TransformPlugin
        {
            public override void Process(RecordBatch batch, Emitter output) { }
        }
        """;

    private static (Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, string? Generated) Run(
        string source, string? mode = null)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(TransformPlugin).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(NativePlugins.Interop.NpAbi).Assembly.Location));
        var compilation = CSharpCompilation.Create("GeneratorTest",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Plugins.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new NativePluginGenerator().AsSourceGenerator()],
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: new BuildProperties(mode));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        string? generated = driver.GetRunResult().GeneratedTrees.SingleOrDefault()?.ToString();
        return (output, diagnostics, generated);
    }

    private static string[] Ids(ImmutableArray<Diagnostic> diagnostics) => diagnostics.Select(d => d.Id).ToArray();

    [Fact]
    public void Valid_plugins_get_np_entry_and_a_vtable_each_and_the_result_compiles()
    {
        var (output, diagnostics, generated) = Run(ValidPlugin);

        Assert.Empty(diagnostics);
        Assert.NotNull(generated);
        Assert.Contains("namespace NativePlugins.PluginSdk.Generated", generated);
        Assert.Contains("public static unsafe class NplugExports", generated);
        Assert.Contains("UnmanagedCallersOnly(EntryPoint = \"np_entry\"", generated);
        Assert.Contains("public static int NpEntryHosted(", generated);
        // Sorted by id: count before upper; metadata escaped; threading mapped to the ABI constant.
        Assert.True(generated.IndexOf("\"org.example.count\"", StringComparison.Ordinal) < generated.IndexOf("\"org.example.upper\"", StringComparison.Ordinal));
        Assert.Contains("new(\"org.example.upper\", \"Upper \\\"case\\\"\", \"2.1.0-beta.1\", \"Uppercases\", \"Example\",", generated);
        Assert.Contains("new(\"org.example.count\", \"Count\", \"1.0.0\", \"\", \"\",", generated);
        Assert.Contains("NpAbi.NP_THREADING_THREAD_SAFE", generated);
        Assert.Contains("=> new global::Sample.Upper(config, host);", generated);
        Assert.Contains("=> new global::Sample.Count();", generated);
        foreach (string function in new[] { "P0_Create", "P0_Destroy", "P0_Process", "P0_Flush", "P1_Create", "P1_Destroy", "P1_Process", "P1_Flush" })
            Assert.Contains($"private static {(function.EndsWith("Destroy") ? "void" : "int")} {function}(", generated);

        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("public sealed class NotAPlugin { }", "NPLUG001")]
    [InlineData("public abstract class Abstract : TransformPlugin { }", "NPLUG002")]
    [InlineData("public sealed class Generic<T> : TransformPlugin { public override void Process(RecordBatch b, Emitter o) { } }", "NPLUG002")]
    [InlineData("public sealed class NoCtor : TransformPlugin { public NoCtor(int x) { } public override void Process(RecordBatch b, Emitter o) { } }", "NPLUG005")]
    [InlineData("public sealed class Hidden : TransformPlugin { private Hidden() { } public override void Process(RecordBatch b, Emitter o) { } }", "NPLUG005")]
    [InlineData("public sealed class Twice : TransformPlugin { public Twice(PluginConfig a) { } public Twice(PluginHost b) { } public override void Process(RecordBatch b, Emitter o) { } }", "NPLUG005")]
    public void A_class_that_cannot_be_exported_gets_a_diagnostic_and_nothing_is_generated(string declaration, string expected)
    {
        var (_, diagnostics, generated) = Run(Usings + "\n[NativePlugin(\"org.example.bad\")]\n" + declaration);

        Assert.Contains(expected, Ids(diagnostics));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Null(generated);
    }

    [Fact]
    public void A_private_nested_plugin_is_reported()
    {
        string source = Usings + """

            public static class Outer
            {
                [NativePlugin("org.example.nested")]
                private sealed class Nested : TransformPlugin { public override void Process(RecordBatch b, Emitter o) { } }
            }
            """;
        var (_, diagnostics, _) = Run(source);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("NPLUG002", diagnostic.Id);
        Assert.Contains("is private", diagnostic.GetMessage());
        Assert.Equal("Plugins.cs", diagnostic.Location.GetLineSpan().Path);
    }

    [Theory]
    [InlineData("Org.Example.Upper", "NPLUG003")]
    [InlineData("upper", "NPLUG003")]
    [InlineData("org..upper", "NPLUG003")]
    [InlineData("", "NPLUG003")]
    public void Invalid_ids_are_reported(string id, string expected)
    {
        var (_, diagnostics, generated) = Run(Usings + $"\n[NativePlugin(\"{id}\")]\npublic sealed class P : TransformPlugin {{ public override void Process(RecordBatch b, Emitter o) {{ }} }}");
        Assert.Equal([expected], Ids(diagnostics));
        Assert.Null(generated);
    }

    [Fact]
    public void An_id_longer_than_128_bytes_is_reported()
    {
        string id = "org." + new string('a', 125);
        var (_, diagnostics, _) = Run(Usings + $"\n[NativePlugin(\"{id}\")]\npublic sealed class P : TransformPlugin {{ public override void Process(RecordBatch b, Emitter o) {{ }} }}");
        Assert.Contains("129 bytes", Assert.Single(diagnostics).GetMessage());
    }

    [Theory]
    [InlineData("Version = \"1.0\"", "NPLUG006")]
    [InlineData("Version = \"01.0.0\"", "NPLUG006")]
    [InlineData("Name = \" \"", "NPLUG007")]
    [InlineData("Threading = (PluginThreading)7", "NPLUG007")]
    public void Invalid_metadata_is_reported(string argument, string expected)
    {
        var (_, diagnostics, _) = Run(Usings + $"\n[NativePlugin(\"org.example.p\", {argument})]\npublic sealed class P : TransformPlugin {{ public override void Process(RecordBatch b, Emitter o) {{ }} }}");
        Assert.Equal([expected], Ids(diagnostics));
    }

    [Fact]
    public void Duplicate_ids_are_reported_naming_both_classes()
    {
        string source = Usings + """

            [NativePlugin("org.example.same")] public sealed class A : TransformPlugin { public override void Process(RecordBatch b, Emitter o) { } }
            [NativePlugin("org.example.same")] public sealed class B : TransformPlugin { public override void Process(RecordBatch b, Emitter o) { } }
            """;
        var (_, diagnostics, generated) = Run(source);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("NPLUG004", diagnostic.Id);
        Assert.Contains("'A'", diagnostic.GetMessage());
        Assert.Contains("'B'", diagnostic.GetMessage());
        Assert.Null(generated);
    }

    [Fact]
    public void A_plugin_project_without_plugins_gets_a_warning_and_a_library_project_nothing()
    {
        var (_, inPluginProject, _) = Run(Usings + "\npublic sealed class Helper { }", mode: "Aot");
        Assert.Equal(["NPLUG008"], Ids(inPluginProject));
        Assert.Equal(DiagnosticSeverity.Warning, inPluginProject[0].Severity);

        var (_, elsewhere, generated) = Run(Usings + "\npublic sealed class Helper { }");
        Assert.Empty(elsewhere);
        Assert.Null(generated);
    }

    /// <summary>Supplies build_property.NplugPluginMode as MSBuild would through CompilerVisibleProperty.</summary>
    private sealed class BuildProperties(string? mode) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(mode);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(null);
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(null);

        private sealed class Options(string? mode) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
            {
                value = key == NativePluginGenerator.ModeProperty ? mode : null;
                return value is not null;
            }
        }
    }
}
