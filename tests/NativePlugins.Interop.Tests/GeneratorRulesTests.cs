using NativePlugins.Generator;
using NativePlugins.Generator.Layout;
using NativePlugins.Generator.Model;
using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The generator enforces the "Changing the ABI" rules of interop/README.md on the header it reads: a
/// correct minor bump keeps every older fingerprint, and the usual mistakes stop generation with a message that
/// says where and why.</summary>
public sealed class GeneratorRulesTests
{
    private const string StatsField = "    np_status (NP_CDECL *stats)(np_instance_t *instance, np_transform_stats_t *out_stats);\n";

    // The minor after the header's: the tests append a field of it, and follow the header when it moves on.
    private const uint Next = NpAbi.NP_ABI_MINOR + 1;

    private static readonly string AppendedField = StatsField +
        $"\n    /** [instance] Appended by GeneratorRulesTests. @since 1.{Next} */\n" +
        "    np_status (NP_CDECL *reset)(np_instance_t *instance);\n";

    [Fact]
    public void Appending_a_tagged_field_and_bumping_the_minor_keeps_the_older_fingerprints()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("ext/np_transform.h", StatsField, AppendedField);
        scratch.Edit("np_version.h", $"#define NP_ABI_MINOR {NpAbi.NP_ABI_MINOR}u", $"#define NP_ABI_MINOR {Next}u");
        var model = scratch.Parse();

        Assert.Equal(Next, model.AbiMinor);
        for (uint minor = 0; minor < Next; minor++)
            Assert.Equal(NpAbiLayout.Fingerprint(minor), LayoutFingerprint.Compute(model, minor));
        Assert.NotEqual(NpAbi.NP_LAYOUT_FINGERPRINT, LayoutFingerprint.Compute(model, Next));
        var transform = model.Struct("np_transform_v1_t");
        Assert.Equal(Next, transform.Fields[^1].SinceMinor);
        Assert.Equal(NpAbi.NP_SIZEOF_np_transform_v1_t_1_0, transform.SizeAt(0));
        Assert.Equal(NpAbi.NP_SIZEOF_np_transform_v1_t_1_1, transform.SizeAt(1));
        Assert.Equal(transform.SizeAt(NpAbi.NP_ABI_MINOR) + 8, transform.SizeAt(Next));

        var header = GenerationPlan.Generate(model)["interop/include/nplug/np_layout.g.h"];
        Assert.Contains($"#define NP_LAYOUT_FINGERPRINT_1_{Next} ", header);
        Assert.Contains($"#define NP_LAYOUT_FINGERPRINT NP_LAYOUT_FINGERPRINT_1_{Next}", header);
    }

    [Fact]
    public void A_since_tag_newer_than_the_abi_minor_is_refused()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("ext/np_transform.h", StatsField, AppendedField);
        var e = Assert.Throws<GeneratorException>(scratch.Parse);
        Assert.Contains($"@since 1.{Next} is newer than NP_ABI_MINOR ({NpAbi.NP_ABI_MINOR}); bump NP_ABI_MINOR", e.Message);
    }

    [Fact]
    public void A_field_added_before_older_fields_is_refused()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_entry.h", "    uint32_t threading;          /* NP_THREADING_* */\n",
            "    uint32_t threading;          /* NP_THREADING_* */\n    uint32_t flags;              /** @since 1.1 */\n");
        var e = Assert.Throws<GeneratorException>(scratch.Parse);
        Assert.Contains("np_plugin_descriptor_t.id (since minor 0) follows flags (since minor 1)", e.Message);
    }

    [Fact]
    public void A_struct_without_struct_size_cannot_grow()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_types.h", "    uint64_t len;\n} np_bytes_t;", "    uint64_t len;\n    uint64_t cap; /** @since 1.1 */\n} np_bytes_t;");
        var e = Assert.Throws<GeneratorException>(scratch.Parse);
        Assert.Contains("np_bytes_t gains fields after its first minor but does not start with uint32_t struct_size", e.Message);
    }

    [Fact]
    public void A_since_tag_the_generator_cannot_attach_is_refused()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_types.h", "#endif /* NP_TYPES_H */", "/* A stray note. @since 1.1 */\n\n#endif /* NP_TYPES_H */");
        var e = Assert.Throws<GeneratorException>(scratch.Parse);
        Assert.Contains("this @since tag is not attached to a struct or field", e.Message);
    }

    [Fact]
    public void Types_outside_rule_A1_are_refused()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_types.h", "    uint32_t reserved;  /* must be 0 */\n} np_error_t;", "    _Bool reserved;  /* must be 0 */\n} np_error_t;");
        var e = Assert.Throws<GeneratorException>(scratch.Parse);
        Assert.Contains("np_error_t.reserved: type `_Bool` is not allowed in the ABI", e.Message);
    }

    [Fact]
    public void Constants_are_typed_from_their_literals_and_non_constants_are_skipped()
    {
        using var scratch = new ScratchHeaderSet();
        var log = new StringWriter();
        var model = new Generator.Parsing.HeaderParser(scratch.IncludeDir, log).Parse();
        var kinds = model.Constants.ToDictionary(c => c.Name, c => c.Kind);
        Assert.Equal(ConstantKind.Int32, kinds["NP_ERR_PANIC"]);
        Assert.Equal(ConstantKind.UInt32, kinds["NP_ABI_MAJOR"]);
        Assert.Equal(ConstantKind.UInt32, kinds["NP_THREADING_THREAD_SAFE"]);
        Assert.Equal(ConstantKind.String, kinds["NP_TRANSFORM_ID"]);
        Assert.Equal(-9, (int)model.Constants.Single(c => c.Name == "NP_ERR_PANIC").Integer);
        foreach (var skipped in new[] { "NP_CDECL", "NP_EXPORT", "NP_EXTERN_C", "NP_HAS_FIELD", "NP_TYPES_H" })
        {
            Assert.DoesNotContain(skipped, kinds.Keys);
            Assert.Contains($"skip macro {skipped} ", log.ToString());
        }
        Assert.DoesNotContain(model.Constants, c => c.Name.StartsWith("NP_LAYOUT_FINGERPRINT", StringComparison.Ordinal));
    }
}
