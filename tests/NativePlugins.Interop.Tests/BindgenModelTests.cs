using NativePlugins.Generator;
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Model;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>`nplug bindgen` reads the example contract (tests/examples/greeter) into the model every emitter uses,
/// and refuses headers that break rules I1-I7 of interop/interfaces.md with `file:line: rule In:`.</summary>
public sealed class BindgenModelTests
{
    internal static string GreeterDir => RepoFiles.Path_("tests/examples/greeter");
    internal static string GreeterHeader => Path.Combine(GreeterDir, "include", "acme", "greeter.h");

    internal static ContractModel Greeter() =>
        ContractBuilder.Build(new BindgenRequest([GreeterHeader], [Path.Combine(GreeterDir, "include")], RepoFiles.IncludeDir,
            null, null, "nplug bindgen test"));

    [Fact]
    public void The_greeter_contract_has_one_interface_with_instances()
    {
        var model = Greeter();
        Assert.Equal("greeter", model.Stem);
        Assert.Equal("Acme.Greeter", model.CSharpNamespace);
        Assert.Equal("greeter", model.RustModule);
        var i = Assert.Single(model.Interfaces);
        Assert.Equal("acme.greeter/1", i.Id);
        Assert.Equal(1u, i.Revision);
        Assert.Equal(1u, i.NewestMinor);
        Assert.Equal("acme_greeter_v1_t", i.VTable.Name);
        Assert.Equal("acme_greeter_t", i.Instance?.Name);
        Assert.Equal(["acme_greeter_v1_t"], i.Structs.Select(s => s.Name));
        Assert.Equal(["create", "destroy", "greet", "add", "count"], i.Functions.Select(f => f.Name));
        Assert.Equal([FunctionRole.Create, FunctionRole.Destroy, FunctionRole.Method, FunctionRole.Method, FunctionRole.Method],
            i.Functions.Select(f => f.Role));
        Assert.Equal([true, true, true, true, false], i.Functions.Select(f => f.Required));
        Assert.Equal([0u, 0u, 0u, 0u, 1u], i.Functions.Select(f => f.Field.SinceMinor));
        Assert.Equal(["instance", "leaf"], i.Functions[4].ThreadTags);
        Assert.Equal(["thread-safe"], i.Functions[0].ThreadTags);
        Assert.True(i.Functions[4].IsLeaf);
        Assert.Contains(model.Declarations.Constants, c => c.Name == "ACME_GREETER_ID" && c.Text == "acme.greeter/1");
        Assert.DoesNotContain(model.Declarations.Structs, s => s.Name.StartsWith("np_", StringComparison.Ordinal));
    }

    [Fact]
    public void The_np_types_a_contract_uses_stay_by_name()
    {
        var greet = Greeter().Interfaces[0].Functions.Single(f => f.Name == "greet").Type;
        Assert.Equal(new AliasType("np_status", new PrimitiveType("int32_t")), greet.Return);
        Assert.Equal(new StructType("np_str_t"), greet.Parameters[1].Type);
        Assert.Equal(new PointerType(new StructType("np_out_bytes_t"), false), greet.Parameters[2].Type);
    }

    [Fact]
    public void Wrapper_shapes_follow_rule_I6()
    {
        var f = Greeter().Interfaces[0].Functions.ToDictionary(x => x.Name);
        Assert.Null(f["create"].Wrapper);
        Assert.Null(f["destroy"].Wrapper);

        var greet = f["greet"].Wrapper!;
        Assert.True(greet.IsInstanceMethod);
        Assert.True(greet.ReturnsStatus);
        Assert.Equal(3, greet.ErrorIndex);
        Assert.Equal(new WrapperInput(1, "name", InputKind.Text, new StructType("np_str_t")), Assert.Single(greet.Inputs));
        Assert.Equal(new WrapperResult(ResultKind.OutText, 2, null), greet.Result);

        var add = f["add"].Wrapper!;
        Assert.Equal([InputKind.Integer, InputKind.Integer], add.Inputs.Select(x => x.Kind));
        Assert.Equal(["a", "b"], add.Inputs.Select(x => x.Name));
        Assert.Equal(new WrapperResult(ResultKind.OutInteger, 3, new PrimitiveType("int64_t")), add.Result);

        var count = f["count"].Wrapper!;
        Assert.False(count.ReturnsStatus);
        Assert.Equal(-1, count.ErrorIndex);
        Assert.Empty(count.Inputs);
        Assert.Equal(new WrapperResult(ResultKind.ReturnValue, -1, new PrimitiveType("uint64_t")), count.Result);
    }

    [Fact]
    public void Fingerprints_per_minor_are_the_ABI_fingerprint_over_the_interface_structs()
    {
        var i = Greeter().Interfaces[0];
        var layouts = i.Structs.Select(s => new NpStructLayout(s.Name, s.Size, s.Align, s.SinceMinor,
            s.Fields.Select(f => new NpFieldLayout(f.Name, f.CSpelling, f.Type.Canonical, f.Offset, f.Size, f.SinceMinor)).ToList())).ToList();
        Assert.Equal(2, i.Fingerprints.Count);
        for (uint m = 0; m <= i.NewestMinor; m++)
            Assert.Equal(NpAbiLayout.Fingerprint(layouts, m), i.Fingerprints[(int)m]);
        Assert.NotEqual(i.Fingerprints[0], i.Fingerprints[1]);
        Assert.StartsWith("struct acme_greeter_v1_t\nstruct_size:uint32_t@0+4\nreserved:uint32_t@4+4\n" +
                          "create:int32_t (*)(const np_host_t *, np_str_t, acme_greeter_t **, np_error_t *)@8+8\n",
            NpAbiLayout.CanonicalText(layouts, 0));
    }

    [Fact]
    public void A_function_outside_rule_I6_gets_no_wrapper_and_a_reason()
    {
        var model = Scratch.Build(Scratch.Greeter.Replace("/** [instance] *out_sum",
            "/** [instance] Two results. Never NULL. */\n    np_status (NP_CDECL *both)(acme_greeter_t *instance, uint32_t *out_a, " +
            "np_out_bytes_t *out, np_error_t *error);\n    /** [instance] *out_sum"));
        var both = model.Interfaces[0].Functions.Single(f => f.Name == "both");
        Assert.Null(both.Wrapper);
        Assert.Contains("more than one result", both.NoWrapperReason);
    }

    [Fact]
    public void Interface_ids_agree_with_the_descriptor_rules()
    {
        foreach (var id in new[] { "acme.greeter/1", "a/1", "acme.x-y_z/10", "Acme.greeter/1", "acme.greeter/0", "acme.greeter", ".x/1",
                     "acme..x/1", "acme.greeter/1x", "acme/01", "a_b.c/1", "acme.greeter/1/2" })
            Assert.Equal(NpDescriptorRules.IsValidInterfaceId(id), InterfaceIds.IsValid(id));
    }

    public static TheoryData<string, string, string, string> Refusals => new()
    {
        // name, anchor in the greeter header, replacement, expected message start (after file:)
        { "bool field", "    uint32_t reserved; /* must be 0 */", "    _Bool reserved;", "15: rule I1: " },
        { "field without @since after a tagged one", "} acme_greeter_v1_t;",
            "    /** [instance] Untagged after count. Never NULL. */\n    void (NP_CDECL *late)(acme_greeter_t *instance);\n} acme_greeter_v1_t;",
            "29: rule I2: " },
        { "wrong @since revision", "@since 1.1", "@since 2.1", "26: rule I2: " },
        { "function without Never NULL or Optional", "*out_sum = a + b; NP_ERR_INPUT on overflow. Never NULL.", "*out_sum = a + b.",
            "25: rule I4: " },
        { "bad @interface id", "@interface acme.greeter/1 */", "@interface Acme.Greeter */", "13: rule I3: " },
        { "wrong @create shape", "np_str_t config, acme_greeter_t **out_instance", "np_bytes_t config, acme_greeter_t **out_instance",
            "18: rule I5: " },
        { "np_ prefixed declaration", "#define ACME_GREETER_ID \"acme.greeter/1\"", "#define NP_GREETER_ID \"acme.greeter/1\"",
            "7: rule I7: " },
        { "foreign prefix", "#define ACME_GREETER_ID \"acme.greeter/1\"", "#define OTHER_GREETER_ID \"acme.greeter/1\"", "7: rule I7: " },
        { "@create without @destroy", "[instance] @destroy Destroy", "[instance] Destroy", "13: rule I5: " },
        { "optional @create", "own format). Never NULL.", "own format). Optional.", "18: rule I5: " },
        { "wrong @destroy shape", "void (NP_CDECL *destroy)(acme_greeter_t *instance);", "void (NP_CDECL *destroy)(acme_greeter_t *instance, uint32_t flags);",
            "21: rule I5: " },
        { "a function declaration", "#endif", "void acme_greeter_hello(void);\n#endif", "30: rule I1: " },
        { "data in a vtable", "    /** [instance][leaf] Greetings so far.", "    uint64_t data; /* not a function */\n    /** [instance][leaf] Greetings so far.",
            "26: rule I3: " },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_header_breaking_a_rule_is_refused_naming_file_line_and_rule(string name, string anchor, string replacement, string expected)
    {
        var e = Assert.Throws<GeneratorException>(() => Scratch.Build(Scratch.Replace(Scratch.Greeter, anchor, replacement)));
        Assert.StartsWith(Scratch.HeaderName + ":" + expected, e.Message);
        Assert.True(e.Message.Length > Scratch.HeaderName.Length + expected.Length + 20, $"{name}: the message says what to do: {e.Message}");
    }

    [Fact]
    public void An_interface_without_lifecycle_tags_has_no_instances()
    {
        const string header = """
            #pragma once
            #include <nplug/nplug.h>

            /* A host-owned context a plugin is handed. */
            typedef struct acme_context acme_context_t;

            /** Stateless math. @interface acme.math/2 */
            typedef struct acme_math_v2 {
                uint32_t struct_size;
                uint32_t reserved;
                /** [thread-safe] *out_sum = a + b. Never NULL. */
                np_status (NP_CDECL *add)(int64_t a, int64_t b, int64_t *out_sum, np_error_t *error);
                /** [thread-safe] Reads the host's context. Never NULL. */
                np_status (NP_CDECL *use)(const acme_context_t *context, np_error_t *error);
                /** [thread-safe] Optional. @since 2.1 */
                uint32_t (NP_CDECL *version)(void);
            } acme_math_v2_t;
            """;
        var i = Assert.Single(Scratch.Build(header).Interfaces);
        Assert.False(i.HasInstances);
        Assert.Null(i.Instance);
        Assert.Equal(2u, i.Revision);
        Assert.Equal(1u, i.NewestMinor);
        var add = Assert.IsType<WrapperShape>(i.Functions[0].Wrapper);
        Assert.False(add.IsInstanceMethod);
        Assert.Equal(["a", "b"], add.Inputs.Select(x => x.Name));
        Assert.Null(i.Functions[1].Wrapper);
        Assert.Contains("`context` of type `const acme_context_t *`", i.Functions[1].NoWrapperReason);
        var version = Assert.IsType<WrapperShape>(i.Functions[2].Wrapper);
        Assert.Equal(new WrapperResult(ResultKind.ReturnValue, -1, new PrimitiveType("uint32_t")), version.Result);
    }

    [Fact]
    public void A_header_with_pragma_once_is_read()
    {
        string header = Scratch.Replace(Scratch.Replace(Scratch.Greeter, "#ifndef ACME_GREETER_H\n#define ACME_GREETER_H\n", "#pragma once\n"),
            "\n#endif\n", "\n");
        Assert.Equal("acme.greeter/1", Assert.Single(Scratch.Build(header).Interfaces).Id);
    }

    [Fact]
    public void Declarations_of_every_given_header_count_and_only_theirs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nplug-bindgen-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(dir, "acme"));
        try
        {
            File.WriteAllText(Path.Combine(dir, "acme", "reply.h"),
                "#ifndef ACME_REPLY_H\n#define ACME_REPLY_H\n#include <stdint.h>\n\n/* A reply. */\ntypedef struct acme_reply {\n    uint64_t len;\n} acme_reply_t;\n\n#endif\n");
            File.WriteAllText(Path.Combine(dir, "acme", "unrelated.h"),
                "#ifndef UNRELATED_H\n#define UNRELATED_H\ntypedef struct other { int x; } other_t;\n#endif\n");
            string greeter = Scratch.Replace(Scratch.Greeter, "#include <nplug/nplug.h>\n", "#include <nplug/nplug.h>\n#include \"acme/reply.h\"\n#include \"acme/unrelated.h\"\n")
                .Replace("uint64_t (NP_CDECL *count)(const acme_greeter_t *instance);", "uint64_t (NP_CDECL *count)(const acme_greeter_t *instance, acme_reply_t *reply);");
            File.WriteAllText(Path.Combine(dir, "acme", "greeter.h"), greeter);
            var model = ContractBuilder.Build(new BindgenRequest([Path.Combine(dir, "acme", "greeter.h"), Path.Combine(dir, "acme", "reply.h")], [dir],
                RepoFiles.IncludeDir, null, null, "nplug bindgen test"));
            Assert.Equal(["acme/greeter.h", "acme/reply.h"], model.Declarations.Headers.Order());
            Assert.Equal(["acme_greeter_t", "acme_greeter_v1_t", "acme_reply_t"], model.Declarations.Structs.Select(s => s.Name).Order());
            Assert.Equal(["acme_greeter_v1_t", "acme_reply_t"], model.Interfaces[0].Structs.Select(s => s.Name));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_growing_struct_without_struct_size_is_refused()
    {
        string header = Scratch.Greeter.Replace("/** The vtable of acme.greeter/1.",
            "/* A reply. */\ntypedef struct acme_reply {\n    uint64_t len;\n    uint64_t extra; /* @since 1.1 */\n} acme_reply_t;\n\n" +
            "/** The vtable of acme.greeter/1.").Replace("uint64_t (NP_CDECL *count)(const acme_greeter_t *instance);",
            "uint64_t (NP_CDECL *count)(const acme_greeter_t *instance, acme_reply_t *reply);");
        var e = Assert.Throws<GeneratorException>(() => Scratch.Build(header));
        Assert.StartsWith(Scratch.HeaderName + ":13: rule I2: ", e.Message);
        Assert.Contains("struct_size", e.Message);
    }

    [Fact]
    public void A_struct_the_vtable_reaches_is_in_the_interface_structs()
    {
        string header = Scratch.Greeter.Replace("/** The vtable of acme.greeter/1.",
            "/* A reply. */\ntypedef struct acme_reply {\n    uint32_t struct_size;\n    uint32_t flags;\n    uint64_t extra; /* @since 1.1 */\n} acme_reply_t;\n\n" +
            "/** The vtable of acme.greeter/1.").Replace("uint64_t (NP_CDECL *count)(const acme_greeter_t *instance);",
            "uint64_t (NP_CDECL *count)(const acme_greeter_t *instance, acme_reply_t *reply);");
        var i = Scratch.Build(header).Interfaces[0];
        Assert.Equal(["acme_greeter_v1_t", "acme_reply_t"], i.Structs.Select(s => s.Name));
        Assert.Equal(1u, i.NewestMinor);
        Assert.Contains("`reply` of type `acme_reply_t *`", i.Functions.Single(f => f.Name == "count").NoWrapperReason);
    }
}

/// <summary>A private copy of the greeter header that a test edits and reads with bindgen.</summary>
internal static class Scratch
{
    public const string HeaderName = "greeter.h";

    public static string Greeter => File.ReadAllText(BindgenModelTests.GreeterHeader);

    public static string Replace(string text, string anchor, string replacement)
    {
        int at = text.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(anchor, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"anchor `{anchor}` is not unique in the greeter header: the test needs updating");
        return text[..at] + replacement + text[(at + anchor.Length)..];
    }

    /// <summary>Writes the header as dir/greeter.h and builds its contract, naming the file relative to the directory
    /// (as a user running bindgen in that directory would).</summary>
    public static ContractModel Build(string header)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nplug-bindgen-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, HeaderName);
            File.WriteAllText(path, header);
            string old = Directory.GetCurrentDirectory();
            lock (CurrentDirectory)
            {
                Directory.SetCurrentDirectory(dir);
                try
                {
                    return ContractBuilder.Build(new BindgenRequest([HeaderName], [], RepoFiles.IncludeDir, null, null, "nplug bindgen test"));
                }
                finally { Directory.SetCurrentDirectory(old); }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static readonly Lock CurrentDirectory = new();
}
