using System.Text;
using System.Text.Json;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Conformance.Tests;

/// <summary>The <c>nplug check</c> verb, run in-process (its workers need the real nplug executable, which
/// tests/conformance.sh exercises; here --in-process or no run at all).</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Nplug(params string[] args) => InProcessNplug.Run(args);

    [Fact]
    public void List_checks_prints_every_check_with_its_rule()
    {
        var (code, output, _) = Nplug("check", "--list-checks");
        Assert.Equal(0, code);
        foreach (var c in ConformanceSuite.Checks) Assert.Contains(c.Name, output);
        Assert.Contains("P12", output);
    }

    [Fact]
    public void List_checks_as_json_is_machine_readable()
    {
        var (code, output, _) = Nplug("check", "--list-checks", "--json", "--check", "P10");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.All(doc.RootElement.EnumerateArray(), e => Assert.Equal("P10", e.GetProperty("rule").GetString()));
        Assert.Equal(3, doc.RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData(new[] { "check" }, "at least one library")]
    [InlineData(new[] { "check", "/nonexistent/libx.so" }, "no such file")]
    [InlineData(new[] { "check", "--list-checks", "--check", "nope.*" }, "matches no check")]
    public void Usage_errors_exit_2_with_a_message(string[] args, string message)
    {
        var (code, _, err) = Nplug(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void In_process_run_on_a_correct_fixture_passes_with_json_output()
    {
        var (code, output, err) = Nplug("check", "--in-process", "--json", "--check", "P1,P2,P8", Native.Fixture("libnpfx_ok.so"));
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(0, doc.RootElement.GetProperty("failed").GetInt32());
        Assert.True(doc.RootElement.GetProperty("passed").GetInt32() >= 15);
    }

    [Fact]
    public void A_library_after_a_config_option_is_still_a_library()
    {
        // CommandLineParser hands every value after -c to --config; the verb recovers the file.
        var (code, output, err) = Nplug("check", "--in-process", "--json", "--check", "lifecycle.basic",
            "-c", "org.nativeplugins.fixture.ok=sep=|", Native.Fixture("libnpfx_ok.so"));
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output);
        var result = doc.RootElement.GetProperty("libraries")[0].GetProperty("results")[0];
        Assert.Equal("pass", result.GetProperty("verdict").GetString());
    }

    [Fact]
    public void In_process_run_flags_a_broken_fixture_and_exits_1()
    {
        var (code, output, _) = Nplug("check", "--in-process", "--check", "lifecycle.*", Native.Fixture("libnpfx_p8_flush_twice.so"));
        Assert.Equal(1, code);
        Assert.Contains("FAIL lifecycle.flush-twice", output);
    }

    [Fact]
    public void List_checks_names_the_interface_checks_per_interface()
    {
        var (code, output, _) = Nplug("check", "--list-checks", "--check", "interface.*");
        Assert.Equal(0, code);
        Assert.Contains("interface.lifecycle", output);
        Assert.Contains("per interface", output);
    }

    [Fact]
    public void Interface_reads_a_bindgen_manifest_and_a_library_after_it_is_still_a_library()
    {
        // The 8-byte vtable: without --interface nothing fails; with it, interface.vtable-size does.
        var library = Native.Fixture("libnpfx_greeter_small_vtable.so");
        var (without, _, _) = Nplug("check", "--in-process", "--check", "interface.*", library);
        Assert.Equal(0, without);
        var (code, output, err) = Nplug("check", "--in-process", "--json", "--check", "interface.*",
            "--interface", RepoLayout.RepoFile(GreeterContract.ManifestPath), library);
        Assert.True(code == 1, err + output);
        using var doc = JsonDocument.Parse(output);
        var failed = doc.RootElement.GetProperty("libraries")[0].GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("verdict").GetString() == "fail").ToList();
        var result = Assert.Single(failed);
        Assert.Equal("interface.vtable-size", result.GetProperty("check").GetString());
        Assert.Equal("acme.greeter/1", result.GetProperty("interface").GetString());
    }

    [Fact]
    public void A_missing_manifest_is_a_usage_error()
    {
        var (code, _, err) = Nplug("check", "--interface", "/nonexistent/greeter.layout.g.json", Native.Fixture("libnpfx_greeter_ok.so"));
        Assert.Equal(2, code);
        Assert.Contains("--interface /nonexistent/greeter.layout.g.json: no such file", err);
    }

    [Fact]
    public void A_file_that_is_not_a_manifest_is_a_usage_error_naming_it()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "broken.layout.g.json");
        File.WriteAllText(path, "{ \"structs\": [] }");
        var (code, _, err) = Nplug("check", "--interface", path, Native.Fixture("libnpfx_greeter_ok.so"));
        Assert.Equal(2, code);
        Assert.Contains($"{path}: describes no interface", err);
    }
}
