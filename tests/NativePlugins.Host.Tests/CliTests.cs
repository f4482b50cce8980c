using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Host.Tests.Infrastructure;

namespace NativePlugins.Host.Tests;

/// <summary>The nplug CLI, run in-process with its own streams (and once as a real process).</summary>
public class CliTests
{
    private sealed record Result(int Exit, string Out, string Err);

    private static Result Nplug(string? stdin, params string[] args)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        using var output = new MemoryStream();
        var error = new StringWriter();
        int exit;
        using (var console = new CliConsole(input, output, error)) exit = NplugCli.Run(args, console);
        return new Result(exit, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private static string[] PluginDirArgs => ["--plugin-dir", RepoLayout.PluginDir, "--no-default-path"];

    [Fact]
    public void List_shows_every_plugin_of_a_directory()
    {
        var r = Nplug(null, "list", RepoLayout.PluginDir);
        Assert.Equal(ExitCodes.Ok, r.Exit);
        Assert.Contains(Hosts.Upper, r.Out);
        Assert.Contains(Hosts.Grep, r.Out);
        Assert.Contains(Hosts.Counter, r.Out);
        Assert.Contains("libnp_c_text.so", r.Out);
    }

    [Fact]
    public void List_reports_bad_files_on_stderr_with_exit_code_1()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CCounter);
        File.WriteAllBytes(dir.File("libbroken.so"), []);
        var r = Nplug(null, "list", dir.Path);
        Assert.Equal(ExitCodes.PluginError, r.Exit);
        Assert.Contains(Hosts.Counter, r.Out);
        var line = Assert.Single(r.Err.Split('\n'), l => l.Contains("libbroken.so"));
        Assert.Contains("EmptyFile", line);
    }

    [Fact]
    public void List_json_is_machine_readable()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CText);
        File.WriteAllText(dir.File("libtext.so"), "hello");
        var r = Nplug(null, "list", "--json", dir.Path);
        using var doc = JsonDocument.Parse(r.Out);
        var lib = Assert.Single(doc.RootElement.GetProperty("libraries").EnumerateArray());
        Assert.Equal([Hosts.Upper, Hosts.Grep], lib.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        var err = Assert.Single(doc.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("NotALibrary", err.GetProperty("reason").GetString());
        Assert.Equal(dir.File("libtext.so"), err.GetProperty("file").GetString());
    }

    [Fact]
    public void Inspect_shows_versions_fingerprint_and_plugins()
    {
        var r = Nplug(null, "inspect", NativeArtifacts.CText);
        Assert.Equal(ExitCodes.Ok, r.Exit);
        var current = Hosting.AbiVersion.Current;
        Assert.Contains($"{current} agreed (library {current}, host {current})", r.Out);
        Assert.Contains($"0x{Interop.NpAbi.NP_LAYOUT_FINGERPRINT:x16}", r.Out);
        Assert.Contains("nplug-c/", r.Out);
        Assert.Contains(Hosts.Grep, r.Out);
        Assert.Contains("np.transform/1", r.Out);
        Assert.Contains("flags        none\n", r.Out.ReplaceLineEndings("\n")); // a C library may be unloaded
        Assert.Contains("unloadable   yes", r.Out);

        var j = Nplug(null, "inspect", "--json", NativeArtifacts.CText);
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal(current.ToString(), doc.RootElement.GetProperty("abiAgreed").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("plugins").GetArrayLength());
        Assert.Equal("single", doc.RootElement.GetProperty("plugins")[0].GetProperty("threading").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("flags").GetArrayLength());
    }

    [Fact]
    public void Inspect_shows_the_library_flags_of_a_csharp_library()
    {
        var r = Nplug(null, "inspect", RepoLayout.Fixture("libnp_cs_throwing.so"));
        Assert.Equal(ExitCodes.Ok, r.Exit);
        Assert.Contains("flags        NP_LIBRARY_NO_UNLOAD", r.Out);
        Assert.Contains("unloadable   no (stays mapped)", r.Out);

        var j = Nplug(null, "inspect", "--json", RepoLayout.Fixture("libnp_cs_throwing.so"));
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal(["NP_LIBRARY_NO_UNLOAD"], doc.RootElement.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.False(doc.RootElement.GetProperty("unloadable").GetBoolean());
    }

    [Fact]
    public void Inspect_of_a_bad_file_prints_one_error_line_and_exits_1()
    {
        using var dir = new TempDirectory();
        var bad = dir.File("libempty.so");
        File.WriteAllBytes(bad, []);
        var r = Nplug(null, "inspect", bad);
        Assert.Equal(ExitCodes.PluginError, r.Exit);
        Assert.Equal($"nplug: error: {bad}: EmptyFile: the file is empty (0 bytes)", r.Err.Trim());

        var j = Nplug(null, "inspect", "--json", bad);
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal("EmptyFile", doc.RootElement.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public void Run_streams_stdin_through_the_pipeline_and_reports_per_stage_on_stderr()
    {
        var r = Nplug("keep me\ndrop\nkeep crème\r\nlast keep", ["run", .. PluginDirArgs,
            "--pipeline", $"{Hosts.Grep},{Hosts.Upper}", "--config", $"{Hosts.Grep}=pattern=keep", "--batch-size", "2"]);
        Assert.Equal(ExitCodes.Ok, r.Exit);
        Assert.Equal("KEEP ME\nKEEP CRÈME\nLAST KEEP\n", r.Out);
        Assert.Contains(Hosts.Grep, r.Err);
        Assert.Contains("4 line(s) in, 3 record(s) out", r.Err);

        var quiet = Nplug("a\n", ["run", .. PluginDirArgs, "-p", Hosts.Upper, "-q"]);
        Assert.Equal("A\n", quiet.Out);
        Assert.Equal("", quiet.Err);
    }

    [Fact]
    public void Run_addresses_stages_by_position_and_reads_input_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "ab\nabc\nb\n");
        var r = Nplug(null, ["run", .. PluginDirArgs, "-p", $"{Hosts.Grep},{Hosts.Grep}", "-c", "#1=pattern=a", "-c", "#2=pattern=c",
            "-i", dir.File("in.txt"), "-q"]);
        Assert.Equal(ExitCodes.Ok, r.Exit);
        Assert.Equal("abc\n", r.Out);
    }

    [Theory]
    [InlineData(ExitCodes.PluginError, "NP_ERR_CONFIG", "run", "-p", Hosts.Grep)]                             // grep needs pattern
    [InlineData(ExitCodes.PluginError, "org.example.none", "run", "-p", "org.example.none")]                   // not found
    [InlineData(ExitCodes.Usage, "--pipeline", "run")]                                                        // no pipeline
    [InlineData(ExitCodes.Usage, "not a stage", "run", "-p", Hosts.Upper, "-c", "org.example.x=a=b")]
    [InlineData(ExitCodes.Usage, "expected id=config", "run", "-p", Hosts.Upper, "-c", "nonsense")]
    [InlineData(ExitCodes.Usage, "unknown log level", "run", "-p", Hosts.Upper, "--log-level", "loud")]
    [InlineData(ExitCodes.IoError, "no-such-input", "run", "-p", Hosts.Upper, "-i", "/nonexistent/no-such-input.txt")]
    public void Failures_map_to_documented_exit_codes_with_one_readable_line(int exit, string mentions, params string[] args)
    {
        var r = Nplug("x\n", [.. args, .. PluginDirArgs]);
        Assert.Equal(exit, r.Exit);
        Assert.Contains(mentions, r.Err);
        Assert.Contains("nplug: error: ", r.Err);
    }

    [Fact]
    public void Unknown_verbs_and_options_are_usage_errors_and_help_is_success()
    {
        Assert.Equal(ExitCodes.Usage, Nplug(null, "frobnicate").Exit);
        Assert.Equal(ExitCodes.Usage, Nplug(null, "list", "--no-such-option").Exit);
        Assert.Equal(ExitCodes.Usage, Nplug(null).Exit);
        var help = Nplug(null, "--help");
        Assert.Equal(ExitCodes.Ok, help.Exit);
        Assert.Contains("demo", help.Out);
        Assert.Contains("Exit codes", help.Out);
        var runHelp = Nplug(null, "run", "--help");
        Assert.Equal(ExitCodes.Ok, runHelp.Exit);
        Assert.Contains("--pipeline", runHelp.Out);
    }

    [Fact]
    public void Demo_runs_the_bundled_pipeline_over_the_bundled_data()
    {
        var r = Nplug(null, ["demo", .. PluginDirArgs]);
        Assert.True(r.Exit == ExitCodes.Ok, r.Err);
        // C grep keeps the 42 errors, Rust json-field takes their message, C# regex strips the details, C upper
        // upper-cases, C counter counts each distinct message: 9 counts and the summary line.
        var lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(10, lines.Length);
        Assert.Contains("5\tADDRESS VALIDATION FAILED", lines);         // "... for São Paulo" stripped by the C# stage
        Assert.Contains("8\tPRICE FEED REJECTED: NAÏVE TIMESTAMP", lines); // UTF-8 aware upper-casing
        Assert.Contains("6\tCARD DECLINED", lines);
        Assert.Equal("records=42 bytes=947 distinct=9", lines[^1]);
        Assert.Contains("1,000 line(s) in, 10 record(s) out", r.Err);
        Assert.Contains("org.nativeplugins.rust.json-field", r.Err);
        Assert.Contains("org.nativeplugins.cs.regex", r.Err);
        Assert.Contains("0 still live after destroy", r.Err);
    }

    [Fact]
    public void Demo_definitions_are_data_and_optional_stages_may_be_missing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "b\na\nb\n");
        File.WriteAllText(dir.File("p.json"), $$"""
            {
              "input": "in.txt",
              "stages": [
                { "plugin": "org.example.not-installed", "optional": true },
                { "plugin": "{{Hosts.Counter}}", "config": "per_value=true" }
              ]
            }
            """);
        var r = Nplug(null, ["demo", "--definition", dir.File("p.json"), .. PluginDirArgs]);
        Assert.True(r.Exit == ExitCodes.Ok, r.Err);
        Assert.Equal("2\tb\n1\ta\nrecords=3 bytes=3 distinct=2\n", r.Out);
        Assert.Contains("org.example.not-installed skipped", r.Err);

        File.WriteAllText(dir.File("bad.json"), """{ "stages": [ { "config": "x" } ] }""");
        Assert.Equal(ExitCodes.Usage, Nplug(null, ["demo", "--definition", dir.File("bad.json"), .. PluginDirArgs]).Exit);
    }

    [Fact]
    public void The_real_executable_runs_as_a_process()
    {
        var nplug = Path.Combine(AppContext.BaseDirectory, "nplug.dll");
        Assert.True(File.Exists(nplug), nplug);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { nplug, "run", "-p", Hosts.Upper, "-q", "--plugin-dir", RepoLayout.PluginDir, "--no-default-path" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("hello\nwörld\n");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Equal("HELLO\nWÖRLD\n", stdout);

        using var bad = Process.Start(new ProcessStartInfo("dotnet", [nplug, "run"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        bad.StandardOutput.ReadToEnd();
        bad.StandardError.ReadToEnd();
        bad.WaitForExit();
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }
}
