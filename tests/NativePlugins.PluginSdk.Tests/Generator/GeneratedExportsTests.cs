using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Generators;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Generator;

/// <summary>
/// The generated [UnmanagedCallersOnly] exports themselves, compiled in memory from a plugin whose declared
/// ConfigSchema throws, loaded into this process and called through their function pointers: the generated class's
/// static initializer fails, and every export still returns a status (the wrappers hand the library state to the
/// runtime as a function it calls inside its exception boundary) instead of aborting this test run.
/// </summary>
public sealed unsafe class GeneratedExportsTests
{
    private const string BrokenSchemaPlugin = """
        using System;
        using NativePlugins.PluginSdk;

        namespace Sample;

        [NativePlugin("org.example.broken-schema")]
        public sealed class BrokenSchema : TransformPlugin
        {
            public static ConfigSchema ConfigSchema => throw new InvalidOperationException("the schema is broken");
            public override void Process(RecordBatch batch, Emitter output) { }
        }
        """;

    private static Type CompileExports(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(TransformPlugin).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(NpAbi).Assembly.Location));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create($"GeneratedExports{Guid.NewGuid():N}",
            [CSharpSyntaxTree.ParseText(source, parse, path: "Plugin.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new NativePluginGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        Assembly assembly = Assembly.Load(image.ToArray());
        return assembly.GetType($"{ExportsWriter.ExportsNamespace}.{ExportsWriter.ExportsClass}", throwOnError: true)!;
    }

    private static nint Export(Type exports, string name) =>
        exports.GetMethod(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!
            .MethodHandle.GetFunctionPointer();

    [Fact]
    public void A_failing_static_initializer_makes_every_export_return_a_status()
    {
        Type exports = CompileExports(BrokenSchemaPlugin);
        var host = new NativeTestHost();

        // np_entry: NP_ERR_PANIC with the exception in the host's np_negotiation_t.error (ABI 1.2), having written
        // the library's version first (rule P1).
        var entry = (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, void*, int>)Export(exports, "NpEntryHosted");
        var reason = new ErrorBuffer();
        var negotiation = new np_negotiation_t
        {
            struct_size = (uint)sizeof(np_negotiation_t),
            abi_major = NpAbi.NP_ABI_MAJOR,
            abi_minor = NpAbi.NP_ABI_MINOR,
            error = reason.Pointer,
        };
        np_library_t* library = null;
        Assert.Equal(NpAbi.NP_ERR_PANIC, entry(&negotiation, &library, null));
        Assert.True(library is null);
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major);
        Assert.StartsWith("unhandled System.TypeInitializationException: ", reason.ToString());
        negotiation.error = null; // a host without a buffer: the status alone
        Assert.Equal(NpAbi.NP_ERR_PANIC, entry(&negotiation, &library, null)); // and again: the failure is cached

        var init = (delegate* unmanaged[Cdecl]<np_host_t*, np_error_t*, int>)Export(exports, "Init");
        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_PANIC, init(host.Table, error.Pointer));
        Assert.StartsWith("unhandled System.TypeInitializationException: ", error.ToString());

        ((delegate* unmanaged[Cdecl]<void>)Export(exports, "Deinit"))(); // returns

        var create = (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int>)Export(exports, "P0_Create");
        np_instance_t* instance = (np_instance_t*)0x1;
        error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_PANIC, create(host.Table, default, &instance, error.Pointer));
        Assert.True(instance is null, "a failed create sets *out_instance to NULL");
        Assert.StartsWith("unhandled System.TypeInitializationException: ", error.ToString());
        Assert.Contains(host.LogLines, l => l.Level == NpAbi.NP_LOG_ERROR && l.Message.Contains("the schema is broken"));

        // The instance calls never touch the library state: they check their arguments as always.
        var process = (delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int>)Export(exports, "P0_Process");
        error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, process(null, null, null, error.Pointer));
        Assert.Equal("instance is NULL", error.ToString());
        ((delegate* unmanaged[Cdecl]<np_instance_t*, void>)Export(exports, "P0_Destroy"))(null);
    }
}
