using NativePlugins.Generator.Bindgen;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The command line of `nplug bindgen` (interop/interfaces.md section 2): writes, checks (naming every
/// missing, differing and stale file), refuses bad headers naming file, line and rule, and reports usage errors.</summary>
public sealed class BindgenCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nplug-bindgen-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public BindgenCliTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "include", "acme"));
        File.Copy(BindgenModelTests.GreeterHeader, HeaderPath);
    }

    private string HeaderPath => Path.Combine(_dir, "include", "acme", "greeter.h");
    private string OutDir => Path.Combine(_dir, "generated");

    private (int Code, string Out, string Err) Run(params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = [HeaderPath, "--include", Path.Combine(_dir, "include"), "--out", OutDir, .. extra];
        int code = Bindgen.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Write_then_check_is_clean_and_a_change_is_named()
    {
        var (code, _, err) = Run("--check");
        Assert.Equal(1, code);
        Assert.Contains("missing c/greeter_layout.g.h", err);
        Assert.Contains("missing rust/greeter.rs", err);

        (code, var output, err) = Run();
        Assert.True(code == 0, err);
        Assert.Contains("wrote   csharp/Greeter.g.cs", output);
        Assert.Equal(0, Run("--check").Code);
        Assert.Equal(0, Run().Code); // nothing changed: nothing rewritten
        Assert.Contains("0 changed", Run().Out);

        File.WriteAllText(HeaderPath, File.ReadAllText(HeaderPath).Replace("int64_t a, int64_t b", "int64_t a, int32_t b"));
        File.WriteAllText(Path.Combine(OutDir, "csharp", "Old.g.cs"), "// no longer generated\n");
        (code, _, err) = Run("--check");
        Assert.Equal(1, code);
        Assert.Contains("differs c/greeter_layout.g.h", err);
        Assert.Contains("differs layout/greeter.layout.g.json", err);
        Assert.Contains("stale   csharp/Old.g.cs", err);
        Assert.Contains("Regenerate with `nplug bindgen ", err);
        Assert.DoesNotContain("--check`", err);

        Assert.Equal(0, Run().Code);
        Assert.False(File.Exists(Path.Combine(OutDir, "csharp", "Old.g.cs")), "a stale file in an owned folder is deleted");
        Assert.Equal(0, Run("--check").Code);
    }

    [Fact]
    public void The_banner_names_the_command_without_check()
    {
        Assert.Equal("nplug bindgen a.h --include 'my dir' --out gen", Bindgen.CommandLine(["a.h", "--include", "my dir", "--out", "gen", "--check"]));
    }

    [Fact]
    public void A_refused_header_is_one_error_naming_file_line_and_rule()
    {
        File.WriteAllText(HeaderPath, File.ReadAllText(HeaderPath).Replace("Optional: NULL when not provided.", "May be absent."));
        var (code, output, err) = Run();
        Assert.Equal(1, code);
        Assert.StartsWith($"nplug bindgen: error: {HeaderPath}:27: rule I4: acme_greeter_v1_t.count: ", err);
        Assert.DoesNotContain("wrote", output);
        Assert.False(Directory.Exists(OutDir));
    }

    [Fact]
    public void A_function_without_a_wrapper_is_reported_not_refused()
    {
        File.WriteAllText(HeaderPath, File.ReadAllText(HeaderPath).Replace("uint64_t (NP_CDECL *count)(const acme_greeter_t *instance);",
            "uint64_t (NP_CDECL *count)(const acme_greeter_t *instance, const uint8_t *raw);"));
        var (code, output, err) = Run();
        Assert.True(code == 0, err);
        Assert.Contains("nplug bindgen: note: acme.greeter/1: count gets no typed wrapper, only its function pointer: parameter `raw`", output);
    }

    [Theory]
    [InlineData(new string[0], "no header given")]
    [InlineData(new[] { "a.h" }, "--out is required")]
    [InlineData(new[] { "a.h", "--out" }, "unknown option or missing value: `--out`")]
    [InlineData(new[] { "a.h", "--out", "x", "--frobnicate" }, "unknown option or missing value: `--frobnicate`")]
    public void Usage_errors_exit_2(string[] args, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, Bindgen.Run(args, TextWriter.Null, error));
        Assert.Contains(message, error.ToString());
        Assert.Contains("usage: nplug bindgen", error.ToString());
    }

    [Fact]
    public void Bad_names_for_the_outputs_are_refused()
    {
        var (code, _, err) = Run("--rust-module", "Greeter-Bindings");
        Assert.Equal(1, code);
        Assert.Contains("--rust-module `Greeter-Bindings` is not a Rust module name", err);
        (code, _, err) = Run("--csharp-namespace", "Acme..Greeter");
        Assert.Equal(1, code);
        Assert.Contains("--csharp-namespace `Acme..Greeter` is not a C# namespace", err);
    }

    [Fact]
    public void A_missing_header_is_named()
    {
        var error = new StringWriter();
        Assert.Equal(1, Bindgen.Run([Path.Combine(_dir, "nope.h"), "--out", OutDir], TextWriter.Null, error));
        Assert.Contains($"{Path.Combine(_dir, "nope.h")}: not found", error.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
