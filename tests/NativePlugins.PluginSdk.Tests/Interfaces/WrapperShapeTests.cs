using System.Reflection;
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Emit.Bindgen;
using NativePlugins.Generator.Model;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Interfaces;

/// <summary>
/// The plugin glue for every wrapper shape the greeter does not have (bytes in, a void function, an integer returned
/// by value from a non-leaf function, an optional function left to its default), from a scratch header run through
/// bindgen's parser and its two C# emitters, compiled with a plugin and called through the raw vtable.
/// </summary>
public sealed unsafe class WrapperShapeTests
{
    private const string Header = """
        /* acme/shapes.h - every wrapper shape a C# plugin can implement. */
        #ifndef ACME_SHAPES_H
        #define ACME_SHAPES_H

        #include <nplug/nplug.h>

        typedef struct acme_shapes acme_shapes_t;

        /** Shapes. @interface acme.shapes/1 */
        typedef struct acme_shapes_v1 {
            uint32_t struct_size;
            uint32_t reserved; /* must be 0 */

            /** [thread-safe] @create Create. Never NULL. */
            np_status (NP_CDECL *create)(const np_host_t *host, np_str_t config, acme_shapes_t **out_instance,
                                         np_error_t *error);
            /** [instance] @destroy Destroy. Never NULL. */
            void (NP_CDECL *destroy)(acme_shapes_t *instance);
            /** [instance] Appends data reversed to out. Never NULL. */
            np_status (NP_CDECL *reverse)(acme_shapes_t *instance, np_bytes_t data, np_out_bytes_t *out, np_error_t *error);
            /** [instance] Remembers value. Never NULL. */
            void (NP_CDECL *remember)(acme_shapes_t *instance, uint32_t value);
            /** [instance] The remembered value plus delta. Never NULL. */
            uint64_t (NP_CDECL *recall)(const acme_shapes_t *instance, int32_t delta);
            /** [instance] Forgets. Optional. */
            np_status (NP_CDECL *reset)(acme_shapes_t *instance, np_error_t *error);
        } acme_shapes_v1_t;

        #endif
        """;

    private const string Plugin = """
        using System;
        using Acme.Shapes;
        using NativePlugins.PluginSdk;

        namespace Sample;

        [NativePlugin("com.example.shapes")]
        public sealed class Shapes : IAcmeShapesV1
        {
            private uint _value;

            public void Reverse(ReadOnlySpan<byte> data, OutBytes @out)
            {
                Span<byte> span = @out.GetSpan(data.Length);
                for (int i = 0; i < data.Length; i++)
                    span[i] = data[data.Length - 1 - i];
                @out.Advance(data.Length);
            }

            public void Remember(uint value) => _value = value == 13 ? throw new InvalidOperationException("unlucky") : value;

            public ulong Recall(int delta) => (ulong)(_value + delta);
        }
        """;

#pragma warning disable CS0649 // filled by the plugin, never by this code
    private struct ShapesVTable
    {
        public uint struct_size;
        public uint reserved;
        public delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int> create;
        public delegate* unmanaged[Cdecl]<void*, void> destroy;
        public delegate* unmanaged[Cdecl]<void*, np_bytes_t, np_out_bytes_t*, np_error_t*, int> reverse;
        public delegate* unmanaged[Cdecl]<void*, uint, void> remember;
        public delegate* unmanaged[Cdecl]<void*, int, ulong> recall;
        public delegate* unmanaged[Cdecl]<void*, np_error_t*, int> reset;
    }
#pragma warning restore CS0649

    private static readonly NativeTestHost s_host = new("shape-tests");
    private static readonly Lazy<ContractModel> s_model = new(Parse);
    private static readonly Lazy<nint> s_vtable = new(() =>
    {
        Assembly assembly = InMemoryPlugin.Compile(CSharpContractEmitter.Emit(s_model.Value).Single(),
            CSharpPluginGlueEmitter.Emit(s_model.Value).Single(), ("Plugins.cs", Plugin));
        np_library_t* library = InMemoryPlugin.Open(assembly, s_host);
        return (nint)InMemoryPlugin.VTable(InMemoryPlugin.Plugin(library, "com.example.shapes"), "acme.shapes/1");
    });

    private static ShapesVTable* VTable => (ShapesVTable*)s_vtable.Value;

    private static ContractModel Parse()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"nplug-shapes-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(dir, "acme"));
        string header = Path.Combine(dir, "acme", "shapes.h");
        File.WriteAllText(header, Header);
        return ContractBuilder.Build(new BindgenRequest([header], [dir], Path.Combine(RepoLayout.RepoRoot, "interop", "include"),
            null, null, "nplug bindgen acme/shapes.h"));
    }

    private static void* Create()
    {
        var error = new ErrorBuffer();
        void* instance = null;
        Assert.Equal(NpAbi.NP_OK, VTable->create(s_host.Table, default, &instance, error.Pointer));
        return instance;
    }

    [Fact]
    public void The_glue_has_a_method_per_shape_and_an_optional_default()
    {
        string text = CSharpPluginGlueEmitter.Emit(s_model.Value).Single().Text;
        Assert.Contains("    void Reverse(ReadOnlySpan<byte> data, OutBytes @out);\n", text);
        Assert.Contains("    void Remember(uint value);\n", text);
        Assert.Contains("    ulong Recall(int delta);\n", text);
        Assert.Contains("    void Reset() => throw PluginException.Unsupported(\"acme.shapes/1: reset is not implemented by this plugin\");\n", text);
    }

    [Fact]
    public void Bytes_in_and_bytes_out()
    {
        void* instance = Create();
        using var output = new NativeOutBytes(capacity: 1);
        var error = new ErrorBuffer();
        fixed (byte* data = "abcdef"u8)
            Assert.Equal(NpAbi.NP_OK, VTable->reverse(instance, new np_bytes_t { ptr = data, len = 6 }, output.Pointer, error.Pointer));
        Assert.Equal("fedcba", output.ToString());

        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, VTable->reverse(instance, new np_bytes_t { ptr = null, len = 3 }, output.Pointer, error.Pointer));
        Assert.Equal("data has length 3 but a NULL pointer", error.ToString());
        VTable->destroy(instance);
    }

    [Fact]
    public void A_void_function_and_a_value_returned_by_a_non_leaf_function()
    {
        void* instance = Create();
        VTable->remember(instance, 40);
        Assert.Equal(42ul, VTable->recall(instance, 2));

        // A void function has no status: its panic poisons the instance, and the value functions then return 0.
        VTable->remember(instance, 13);
        Assert.Equal(0ul, VTable->recall(instance, 2));
        Assert.Contains(s_host.LogLines, l => l.Message.StartsWith("remember: unhandled exception: System.InvalidOperationException: unlucky", StringComparison.Ordinal));
        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_STATE, VTable->reset(instance, error.Pointer));
        VTable->destroy(instance);
    }

    [Fact]
    public void An_optional_function_the_class_does_not_implement_is_NP_ERR_UNSUPPORTED()
    {
        void* instance = Create();
        Assert.True(VTable->reset is not null);
        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, VTable->reset(instance, error.Pointer));
        Assert.Equal("acme.shapes/1: reset is not implemented by this plugin", error.ToString());
        VTable->remember(instance, 1);
        Assert.Equal(1ul, VTable->recall(instance, 0));
        VTable->destroy(instance);
    }
}
