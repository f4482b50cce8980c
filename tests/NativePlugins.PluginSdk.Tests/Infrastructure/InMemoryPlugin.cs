using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Generators;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// A plugin library compiled in memory: the sources, the SDK's source generator run over them as a plugin build runs
/// it, the result loaded into this process. Its generated exports are then called through their function pointers,
/// as a host calls them (NpEntryHosted: the hosted mode's entry, which a host reaches through the shim).
/// </summary>
internal static unsafe class InMemoryPlugin
{
    /// <summary>What ImplicitUsings gives a plugin project (buildTransitive/NativePlugins.PluginSdk.Core.targets enables it).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Runs the generator over <paramref name="sources"/> and compiles the result; fails the test on any
    /// generator diagnostic or compile error.</summary>
    public static Assembly Compile(params (string Path, string Text)[] sources)
    {
        var (output, diagnostics) = Generate(sources);
        Assert.Empty(diagnostics);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray());
    }

    /// <summary>The compilation after the generator ran, and the generator's diagnostics.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Generate(params (string Path, string Text)[] sources)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(TransformPlugin).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(NpAbi).Assembly.Location));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create($"InMemoryPlugin{Guid.NewGuid():N}",
            sources.Append((Path: "ImplicitUsings.g.cs", Text: ImplicitUsings)).Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, path: s.Path)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new NativePluginGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        return (output, diagnostics);
    }

    /// <summary>np_entry (hosted, without shim services: no native stats) and init; returns the library.</summary>
    public static np_library_t* Open(Assembly assembly, NativeTestHost host)
    {
        Type exports = assembly.GetType($"{ExportsWriter.ExportsNamespace}.{ExportsWriter.ExportsClass}", throwOnError: true)!;
        var entry = (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, void*, int>)exports
            .GetMethod("NpEntryHosted", BindingFlags.Static | BindingFlags.Public)!.MethodHandle.GetFunctionPointer();
        var reason = new ErrorBuffer();
        var negotiation = new np_negotiation_t
        {
            struct_size = (uint)sizeof(np_negotiation_t),
            abi_major = NpAbi.NP_ABI_MAJOR,
            abi_minor = NpAbi.NP_ABI_MINOR,
            error = reason.Pointer,
        };
        np_library_t* library = null;
        int status = entry(&negotiation, &library, null);
        Assert.True(status == NpAbi.NP_OK, $"np_entry returned {status}: {reason}");
        var error = new ErrorBuffer();
        status = library->init(host.Table, error.Pointer);
        Assert.True(status == NpAbi.NP_OK, $"init returned {status}: {error}");
        return library;
    }

    /// <summary>The descriptor of plugin <paramref name="id"/>.</summary>
    public static np_plugin_descriptor_t* Plugin(np_library_t* library, string id)
    {
        for (uint i = 0; i < library->plugin_count; i++)
        {
            if (RawLibrary.Str(library->plugins[i]->id) == id)
                return library->plugins[i];
        }
        throw new KeyNotFoundException($"the library has no plugin '{id}'");
    }

    /// <summary>The vtable plugin <paramref name="plugin"/> offers for <paramref name="interfaceId"/>.</summary>
    public static void* VTable(np_plugin_descriptor_t* plugin, string interfaceId)
    {
        for (ulong i = 0; i < plugin->interface_count; i++)
        {
            if (RawLibrary.Str(plugin->interfaces[i].id) == interfaceId)
                return plugin->interfaces[i].vtable;
        }
        throw new KeyNotFoundException($"{RawLibrary.Str(plugin->id)} does not offer {interfaceId}");
    }
}
