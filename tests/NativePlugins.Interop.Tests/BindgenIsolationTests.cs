using NativePlugins.Generator.Bindgen;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>Which interfaces `nplug bindgen` emits an isolation proxy for (IsolationShapes): the greeter's signature
/// description, and the refusal, naming function and parameter, of an interface with any other parameter type, whose
/// in-process bindings are generated as before.</summary>
public sealed class BindgenIsolationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nplug-bindgen-iso-" + Guid.NewGuid().ToString("N")[..12]);

    public BindgenIsolationTests() => Directory.CreateDirectory(Path.Combine(_dir, "include", "acme"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Anchor = "/** [instance] *out_sum";

    /// <summary>The greeter header with one more function before add.</summary>
    private static string With(string declaration) =>
        Scratch.Replace(Scratch.Greeter, Anchor, declaration + "\n    " + Anchor);

    private (int Code, string Out, string Err) Run(string header)
    {
        File.WriteAllText(Path.Combine(_dir, "include", "acme", "greeter.h"), header);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Bindgen.Run([Path.Combine(_dir, "include", "acme", "greeter.h"), "--include", Path.Combine(_dir, "include"),
            "--out", Path.Combine(_dir, "generated")], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private bool Wrote(string file) => File.Exists(Path.Combine(_dir, "generated", "csharp", file));

    [Fact]
    public void The_greeter_is_isolated_from_its_signature_description()
    {
        var (lines, reason) = IsolationShapes.Of(BindgenModelTests.Greeter().Interfaces[0]);
        Assert.Null(reason);
        Assert.Equal(
        [
            "create 8 1 @create",
            "destroy 16 1 @destroy",
            "greet 24 1 st self s o e",
            "add 32 1 st self i64 i64 pi64 e",
            "count 40 0 u64 self",
        ], lines);
        var files = BindgenPlan.Generate(BindgenModelTests.Greeter());
        var proxy = files["csharp/Greeter.Proxy.g.cs"];
        Assert.Contains("static NativeProxy? INativeInstance<AcmeGreeterV1>.Proxy => AcmeGreeterV1Proxy.Value;", proxy);
        Assert.Contains("private static int ForwardGreet(void* self, np_str_t name, np_out_bytes_t* @out, np_error_t* error)", proxy);
        Assert.Contains("\"add 32 1 st self i64 i64 pi64 e\\n\"", proxy);
    }

    public static TheoryData<string, string> NotIsolable => new()
    {
        {
            "/** [instance] Raw bytes. Never NULL. */\n    np_status (NP_CDECL *feed)(acme_greeter_t *instance, const uint8_t *data, uint64_t len, np_error_t *error);",
            "function `feed`: parameter `data` of type `const uint8_t *`"
        },
        {
            "/** [instance] A callback. Never NULL. */\n    np_status (NP_CDECL *visit)(acme_greeter_t *instance, void (NP_CDECL *callback)(void *context, uint64_t n), np_error_t *error);",
            "function `visit`: parameter `callback`"
        },
        {
            "/** [instance] A struct by value. Never NULL. */\n    np_status (NP_CDECL *span)(acme_greeter_t *instance, np_batch_t batch, np_error_t *error);",
            "function `span`: parameter `batch` of type `np_batch_t`"
        },
        {
            "/** [thread-safe] No instance. Never NULL. */\n    uint32_t (NP_CDECL *version)(uint32_t major);",
            "function `version` does not take the instance (`acme_greeter_t *`) first"
        },
    };

    [Theory]
    [MemberData(nameof(NotIsolable))]
    public void An_interface_with_another_parameter_type_gets_no_proxy_and_bindgen_says_why(string declaration, string why)
    {
        var (code, output, error) = Run(With(declaration));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var note = Assert.Single(output.Split('\n'), l => l.Contains("cannot be isolated", StringComparison.Ordinal));
        Assert.StartsWith("nplug bindgen: note: acme.greeter/1 cannot be isolated (PluginHostOptions.Isolation), so no proxy is emitted; " +
                          "its in-process bindings are complete: ", note);
        Assert.Contains(why, note);
        Assert.False(Wrote("Greeter.Proxy.g.cs"));
        // The in-process bindings are what they always were: the wrapper with the other methods, the contract.
        Assert.True(Wrote("Greeter.g.cs"));
        var host = File.ReadAllText(Path.Combine(_dir, "generated", "csharp", "Greeter.Host.g.cs"));
        Assert.Contains("public string Greet(string name)", host);
        Assert.Contains("public long Add(long a, long b)", host);
    }

    /// <summary>The isolation tests' own contract (native/tests/test-plugins/codec): its committed bindings are bindgen's
    /// output, and its description covers byte buffers, every integer width, a narrow return and void.</summary>
    [Fact]
    public void The_codec_test_contracts_committed_bindings_are_what_bindgen_generates()
    {
        string dir = RepoFiles.Path_("native/tests/test-plugins/codec");
        var model = Generator.Bindgen.ContractBuilder.Build(new BindgenRequest([Path.Combine(dir, "include", "acme", "codec.h")],
            [Path.Combine(dir, "include")], RepoFiles.IncludeDir, "Acme.Codec", "codec",
            "nplug bindgen include/acme/codec.h --include include --csharp-namespace Acme.Codec --rust-module codec --out generated"));
        foreach (var (rel, text) in BindgenPlan.Generate(model))
            Assert.True(File.ReadAllText(Path.Combine(dir, "generated", rel)) == text,
                $"native/tests/test-plugins/codec/generated/{rel} is stale: rerun the command in its banner in that folder");
        Assert.Equal(
        [
            "create 8 1 @create",
            "destroy 16 1 @destroy",
            "xor_bytes 24 1 st self b u8 u16 o e",
            "mix 32 1 st self i8 i16 i32 u32 pi64 e",
            "sign 40 1 i8 self i64",
            "seen 48 1 u32 self",
            "reset 56 1 v self",
        ], IsolationShapes.Of(model.Interfaces[0]).Lines);
    }

    [Fact]
    public void An_interface_without_instances_gets_no_proxy()
    {
        var model = BindgenModelTests.Greeter();
        var itf = model.Interfaces[0];
        var noInstances = itf with { Functions = itf.Functions.Where(f => f.Role == Generator.Model.FunctionRole.Method).ToList() };
        var (lines, reason) = IsolationShapes.Of(noInstances);
        Assert.Null(lines);
        Assert.Contains("no @create/@destroy", reason);
    }
}
