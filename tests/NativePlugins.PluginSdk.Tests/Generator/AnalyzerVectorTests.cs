using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NativePlugins.PluginSdk.Generators;
using NativePlugins.TestSupport;

namespace NativePlugins.PluginSdk.Tests.Generator;

/// <summary>
/// The generator's compile-time checks of [NativePlugin] ids and versions (S11) against every case of the shared
/// vectors (interop/vectors/plugin-ids.tsv, versions.tsv), which the hosts and the Rust SDK run too. All classes of
/// one file go into one compilation; each diagnostic is matched to its class by line.
/// </summary>
public sealed class AnalyzerVectorTests
{
    [Fact]
    public void S11_plugin_ids_are_checked_at_compile_time_as_the_vectors_say() =>
        AssertVerdicts(Vectors.Validity("plugin-ids.tsv"), "NPLUG003",
            (i, text) => $"[NativePlugin({Literal(text)})] public sealed class P{i} : TransformPlugin {{ public override void Process(RecordBatch b, Emitter o) {{ }} }}");

    [Fact]
    public void S11_versions_are_checked_at_compile_time_as_the_vectors_say() =>
        AssertVerdicts(Vectors.Validity("versions.tsv"), "NPLUG006",
            (i, text) => $"[NativePlugin(\"org.example.p{i}\", Version = {Literal(text)})] public sealed class P{i} : TransformPlugin {{ public override void Process(RecordBatch b, Emitter o) {{ }} }}");

    private static void AssertVerdicts(IReadOnlyList<(bool Valid, byte[] Text, VectorLine Line)> vectors, string diagnosticId,
        Func<int, string, string> declaration)
    {
        const int header = 3; // the lines before the first class
        var source = new StringBuilder("using NativePlugins.PluginSdk;\nnamespace VectorTest;\n\n");
        for (int i = 0; i < vectors.Count; i++)
            source.Append(declaration(i, Encoding.UTF8.GetString(vectors[i].Text))).Append('\n');

        var flagged = Run(source.ToString())
            .Where(d => d.Id == diagnosticId)
            .Select(d => d.Location.GetLineSpan().StartLinePosition.Line - header)
            .ToHashSet();
        var wrong = vectors.Select((v, i) => (v, i))
            .Where(x => flagged.Contains(x.i) == x.v.Valid)
            .Select(x => $"{x.v.Line}: the generator {(x.v.Valid ? "refused" : "accepted")} it")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static ImmutableArray<Diagnostic> Run(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(TransformPlugin).Assembly.Location));
        var compilation = CSharpCompilation.Create("AnalyzerVectorTest",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Vectors.cs")],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new NativePluginGenerator());
        driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        return diagnostics;
    }

    // A C# string literal for any text: printable ASCII as is, everything else as \uXXXX.
    private static string Literal(string text)
    {
        var s = new StringBuilder("\"");
        foreach (char c in text)
            s.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
        return s.Append('"').ToString();
    }
}
