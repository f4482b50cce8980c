using Microsoft.CodeAnalysis;
using NativePlugins.Generator.Emit.Bindgen;
using NativePlugins.PluginSdk.Tests.Infrastructure;
using NativePlugins.PluginSdk.Tests.Interfaces;

namespace NativePlugins.PluginSdk.Tests.Generator;

/// <summary>The source generator on classes that implement [NativeInterface] interfaces: the create functions and
/// descriptor entries it emits, and its diagnostics for classes and interfaces it cannot export.</summary>
public sealed class InterfaceGeneratorTests
{
    private const string Usings = """
        using System;
        using NativePlugins.Interop;
        using NativePlugins.PluginSdk;

        """;

    /// <summary>A hand-written interface with exports of the shape bindgen generates (BuildVTable, Layout).</summary>
    private const string Echo = """
        namespace Sample
        {
            [NativeInterface("org.example.echo/2", typeof(EchoExports))]
            public interface IEcho { }

            public static unsafe class EchoExports
            {
                public static void* BuildVTable(delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create) => (void*)create;
                public static np_interface_layout_t Layout => default;
            }
        }

        """;

    private static (string[] Ids, string[] Messages, string? Generated) Run(string source)
    {
        var (output, diagnostics) = InMemoryPlugin.Generate(("Plugins.cs", source));
        string? generated = output.SyntaxTrees.FirstOrDefault(t => t.FilePath.EndsWith("NplugExports.g.cs", StringComparison.Ordinal))?.ToString();
        return (diagnostics.Select(d => d.Id).ToArray(), diagnostics.Select(d => d.GetMessage()).ToArray(), generated);
    }

    [Fact]
    public void Each_interface_gets_a_create_of_the_exports_signature_and_a_descriptor_entry_after_the_transform()
    {
        var (ids, _, generated) = Run(Usings + Echo + """
            namespace Sample
            {
                [NativePlugin("org.example.both")]
                public sealed class Both : TransformPlugin, IEcho
                {
                    public Both(PluginHost host) { }
                    public override void Process(RecordBatch batch, Emitter output) { }
                }

                [NativePlugin("org.example.echo")]
                public sealed class OnlyEcho : IEcho { }
            }
            """);

        Assert.Empty(ids);
        Assert.NotNull(generated);
        Assert.Contains("PluginInterface.Transform(&P0_Create, &P0_Destroy, &P0_Process, &P0_Flush),", generated);
        Assert.Contains("PluginInterface.Native(\"org.example.echo/2\", global::Sample.EchoExports.BuildVTable(&P0_I1_Create), global::Sample.EchoExports.Layout),", generated);
        Assert.Contains("PluginInterface.Native(\"org.example.echo/2\", global::Sample.EchoExports.BuildVTable(&P1_I0_Create), global::Sample.EchoExports.Layout),", generated);
        Assert.Contains("private static int P0_I1_Create(global::NativePlugins.Interop.np_host_t* host, global::NativePlugins.Interop.np_str_t config, void** outInstance, global::NativePlugins.Interop.np_error_t* error)", generated);
        Assert.Contains("InstanceExports.Create(&Library, 1, 0, host, config, (void**)outInstance, error, &P1_New);", generated);
        Assert.Contains("=> new global::Sample.Both(host);", generated);
        Assert.Contains("=> new global::Sample.OnlyEcho();", generated);
        Assert.DoesNotContain("P1_Process", generated);
    }

    [Fact]
    public void A_class_with_no_interface_is_NPLUG001_naming_the_interfaces_without_the_attribute()
    {
        var (ids, messages, generated) = Run(Usings + """
            public interface IGreeter { }
            [NativePlugin("org.example.bad")]
            public sealed class Bad : IGreeter, IDisposable { public void Dispose() { } }
            """);
        Assert.Equal(["NPLUG001"], ids);
        Assert.Contains("'IGreeter' has no [NativeInterface]", messages[0]);
        Assert.DoesNotContain("IDisposable", messages[0]);
        Assert.Null(generated);
    }

    [Theory]
    [InlineData("[NativeInterface(\"Not An Id\", typeof(EchoExports))]", "'Not An Id' is not an interface id")]
    [InlineData("[NativeInterface(\"np.transform/1\", typeof(EchoExports))]", "np.transform/1 is offered by deriving from TransformPlugin")]
    [InlineData("[NativeInterface(\"org.example.x/1\", typeof(string))]", "'string' has no static BuildVTable(create) method")]
    [InlineData("[NativeInterface(\"org.example.x/1\", typeof(NoLayout))]", "'Sample.NoLayout' has no static np_interface_layout_t Layout property")]
    public void An_unusable_NativeInterface_is_NPLUG009(string attribute, string reason)
    {
        var (ids, messages, generated) = Run(Usings + Echo + $$"""
            namespace Sample
            {
                public static unsafe class NoLayout
                {
                    public static void* BuildVTable(delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create) => null;
                }

                {{attribute}}
                public interface IBroken { }

                [NativePlugin("org.example.broken")]
                public sealed class Broken : IBroken { }
            }
            """);
        Assert.Equal(["NPLUG009"], ids);
        Assert.Contains(reason, messages[0]);
        Assert.Contains("'Sample.IBroken'", messages[0]);
        Assert.Null(generated);
    }

    [Fact]
    public void Two_interfaces_with_one_id_are_NPLUG010()
    {
        var (ids, messages, generated) = Run(Usings + Echo + """
            namespace Sample
            {
                [NativeInterface("org.example.echo/2", typeof(EchoExports))]
                public interface IEchoAgain { }

                [NativePlugin("org.example.twice")]
                public sealed class Twice : IEcho, IEchoAgain { }
            }
            """);
        Assert.Equal(["NPLUG010"], ids);
        Assert.Contains("offers interface 'org.example.echo/2' twice (through 'Sample.IEcho' and 'Sample.IEchoAgain')", messages[0]);
        Assert.Null(generated);
    }

    [Fact]
    public void The_glue_emitter_writes_the_interface_and_its_exports_for_the_greeter()
    {
        var (path, text) = GreeterModel.PluginGlue();
        Assert.Equal("csharp/Greeter.Plugin.g.cs", path);
        Assert.StartsWith("// <auto-generated>", text);
        Assert.Contains("//   Regenerate with: nplug bindgen include/acme/greeter.h", text);
        Assert.Contains("[NativeInterface(\"acme.greeter/1\", typeof(AcmeGreeterV1Exports))]\npublic interface IAcmeGreeterV1\n", text);
        Assert.Contains("    void Greet(string name, OutBytes @out);\n", text);
        Assert.Contains("    long Add(long a, long b);\n", text);
        Assert.DoesNotContain("Count(", text);
        Assert.Contains("/// count stays NULL in a C# plugin's vtable: it is [leaf], and a host may call a [leaf] function without a GC transition", text);
        Assert.Contains("    vtable->count = null; // stays NULL: it is [leaf]", text);
        Assert.Contains("public static void* BuildVTable(delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, acme_greeter_t**, np_error_t*, int> create)", text);
        Assert.Contains("public static np_interface_layout_t Layout => *AcmeGreeterV1Contract.NativeLayout;", text);
        Assert.Contains("var result = InterfaceArguments.Result(this.out_sum, \"out_sum\");", text);
        Assert.DoesNotContain(" \n", text);
    }

    [Fact]
    public void The_glue_emitter_refuses_an_interface_with_a_required_leaf_and_keeps_optional_methods_as_defaults()
    {
        var model = GreeterModel.Build();
        var itf = model.Interfaces[0];
        var count = itf.Functions.Single(f => f.Name == "count");
        var required = model with { Interfaces = [itf with { Functions = [.. itf.Functions.Take(4), count with { Required = true }] }] };
        string text = CSharpPluginGlueEmitter.Emit(required).Single().Text;
        Assert.Contains("// acme.greeter/1: no C# plugin side, its required function count cannot be a C# method: it is [leaf]", text);
        Assert.DoesNotContain("interface IAcmeGreeterV1", text);

        var add = itf.Functions.Single(f => f.Name == "add");
        var optional = model with { Interfaces = [itf with { Functions = [.. itf.Functions.Take(3), add with { Required = false }, count] }] };
        text = CSharpPluginGlueEmitter.Emit(optional).Single().Text;
        Assert.Contains("    long Add(long a, long b) => throw PluginException.Unsupported(\"acme.greeter/1: add is not implemented by this plugin\");", text);
    }
}
