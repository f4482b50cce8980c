using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Emit.Bindgen;
using NativePlugins.Generator.Model;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The Rust plugin side of `nplug bindgen` (RustInterfaceGlueEmitter): the trait and glue it appends to
/// rust/&lt;module&gt;.rs. The cargo tests of nplug-sdk compile and run what it emits for the greeter and for the
/// acme.shapes/1 fixture (every function shape); these tests pin what those cannot see: that the committed fixture is
/// current, and the trait's surface for shapes outside rule I6 and for interfaces without instances.</summary>
public sealed class RustInterfaceGlueTests
{
    private static string ShapesDir => RepoFiles.Path_("native/rust/nplug-sdk/tests/fixtures/shapes");

    /// <summary>The command of fixtures/shapes/regenerate.sh, run in that folder.</summary>
    private static readonly string[] ShapesCommand = ["include/acme/shapes.h", "--include", "include", "--out", "generated"];

    private static string Glue(string header) => RustInterfaceGlueEmitter.Emit(Scratch.Build(header));

    [Fact]
    public void The_committed_shapes_bindings_the_sdk_tests_compile_are_current()
    {
        var request = new BindgenRequest([Path.Combine(ShapesDir, "include", "acme", "shapes.h")], [Path.Combine(ShapesDir, "include")],
            RepoFiles.IncludeDir, null, null, Bindgen.CommandLine(ShapesCommand));
        var model = ContractBuilder.Build(request);
        string rust = BindgenPlan.Generate(model)["rust/shapes.rs"];
        string committed = File.ReadAllText(Path.Combine(ShapesDir, "generated", "rust", "shapes.rs"));
        Assert.True(committed == rust, "rust/shapes.rs is stale: run native/rust/nplug-sdk/tests/fixtures/shapes/regenerate.sh");
    }

    [Fact]
    public void The_greeter_trait_has_one_typed_method_per_function()
    {
        string glue = RustInterfaceGlueEmitter.Emit(BindgenModelTests.Greeter());
        Assert.Contains("pub trait AcmeGreeterV1: ::nplug_sdk::Plugin {", glue);
        Assert.Contains("fn create(host: &::nplug_sdk::Host, config: &::nplug_sdk::Config<'_>) -> ::nplug_sdk::Result<Self>;", glue);
        Assert.Contains("fn greet(&mut self, name: &str, out: &mut ::nplug_sdk::OutBytes<'_>) -> ::nplug_sdk::Result<()>;", glue);
        Assert.Contains("fn add(&mut self, a: i64, b: i64) -> ::nplug_sdk::Result<i64>;", glue);
        Assert.Contains("const HAS_COUNT: bool = false;", glue);
        Assert.Contains("fn count(&self) -> u64 {", glue);
        Assert.Contains("count: if <P as AcmeGreeterV1>::HAS_COUNT { Some(Self::count) } else { None },", glue);
        Assert.Contains("unsafe impl<P: AcmeGreeterV1> ::nplug_sdk::Interface<P> for AcmeGreeterV1Interface {", glue);
        Assert.Contains("const ID: &'static str = \"acme.greeter/1\";", glue);
        Assert.Contains("const LAYOUT: ::nplug_sdk::abi::np_interface_layout_t = ACME_GREETER_V1_INTERFACE_LAYOUT.0;", glue);
        Assert.DoesNotContain("fn destroy(&", glue); // dropping the plugin value is destroy
        Assert.DoesNotContain("RAW_", glue.Split("pub struct AcmeGreeterV1Interface")[0]);
    }

    [Fact]
    public void A_function_without_a_typed_wrapper_becomes_a_raw_const_the_plugin_fills()
    {
        string glue = Glue(Scratch.Greeter.Replace("/** [instance] *out_sum",
            "/** [instance] Two results. Never NULL. */\n    np_status (NP_CDECL *both)(acme_greeter_t *instance, uint32_t *out_a, " +
            "np_out_bytes_t *out, np_error_t *error);\n    /** [instance] *out_sum"));
        Assert.Contains("const RAW_BOTH: Option<unsafe extern \"C\" fn(instance: *mut acme_greeter_t, out_a: *mut u32, " +
                        "out: *mut ::nplug_sdk::abi::np_out_bytes_t, error: *mut ::nplug_sdk::abi::np_error_t) -> ::nplug_sdk::abi::np_status>;", glue);
        Assert.Contains("/// No typed wrapper: more than one result", glue);
        Assert.Contains("both: <P as AcmeGreeterV1>::RAW_BOTH,", glue);
        Assert.DoesNotContain("fn both(", glue);
    }

    [Fact]
    public void An_interface_without_instances_gets_associated_functions_and_no_instance_box()
    {
        string header = """
            #ifndef ACME_CLOCK_H
            #define ACME_CLOCK_H
            #include <nplug/nplug.h>
            /** The vtable of acme.clock/2. @interface acme.clock/2 */
            typedef struct acme_clock_v2 {
                uint32_t struct_size;
                uint32_t reserved;
                /** [thread-safe] Nanoseconds since the plugin loaded. Never NULL. */
                np_status (NP_CDECL *now)(uint64_t *out_ns, np_error_t *error);
                /** [thread-safe][leaf] The resolution. Optional: NULL when not provided. */
                uint32_t (NP_CDECL *resolution)(void);
            } acme_clock_v2_t;
            #endif
            """;
        string glue = Glue(header);
        Assert.Contains("pub trait AcmeClockV2: ::nplug_sdk::Plugin {", glue);
        Assert.Contains("fn now() -> ::nplug_sdk::Result<u64>;", glue);
        Assert.Contains("fn resolution() -> u32 {", glue);
        Assert.Contains("::nplug_sdk::boundary::call_plugin(<P as ::nplug_sdk::Plugin>::INFO.id, \"now\", || <P as AcmeClockV2>::now())", glue);
        Assert.Contains("::nplug_sdk::boundary::catch_leaf(|| <P as AcmeClockV2>::resolution()).ok().unwrap_or_default()", glue);
        Assert.DoesNotContain("fn create(", glue);
        Assert.DoesNotContain("InstanceBox", glue);
    }

    [Fact]
    public void The_layout_the_glue_reads_in_a_const_is_a_static_of_the_raw_declarations()
    {
        // The glue needs the np_interface_layout_t in a const (descriptors are static data); the raw emitter's accessor
        // functions are not const fn, so the glue reads the static behind them. A rename there must fail here first.
        var model = BindgenModelTests.Greeter();
        var i = model.Interfaces[0];
        string raw = RustContractEmitter.Emit(model);
        Assert.Contains($"static {ContractNames.Macro(i)}_INTERFACE_LAYOUT: ", raw);
        Assert.Contains($"&{ContractNames.Macro(i)}_INTERFACE_LAYOUT.0", raw);
        Assert.Contains($"{ContractNames.Macro(i)}_INTERFACE_LAYOUT.0;", RustInterfaceGlueEmitter.Emit(model));
    }

    [Fact]
    public void The_trait_is_named_like_the_csharp_side()
    {
        var i = BindgenModelTests.Greeter().Interfaces[0];
        Assert.Equal("AcmeGreeterV1", RustInterfaceGlueEmitter.TraitName(i));
        Assert.Equal(ContractNames.Pascal(i), RustInterfaceGlueEmitter.TraitName(i));
        Assert.Equal(FunctionRole.Create, i.Create?.Role);
    }
}
