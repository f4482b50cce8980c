using System.Diagnostics;
using NativePlugins.PluginSdk.Runtime;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Processes;

/// <summary>
/// The C# plugins in the C host (<c>nplug-c-host</c>, no .NET in the process until a hosted plugin boots CoreCLR),
/// run as a separate process: what a C application sees, including the hosted shim's reasons for a failed start and that the
/// process survives a throwing plugin (an escaped exception would abort it with SIGABRT, exit code 134).
/// </summary>
public sealed class CHostProcessTests
{
    private const string Regex = "org.nativeplugins.cs.regex";
    private const string WordFreq = "org.nativeplugins.cs.wordfreq";
    private const string Throwing = "org.nativeplugins.cs.test.throwing";

    private sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    private static Result CHost(string stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(BuildLayout.CHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoLayout.BuildDir,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "nplug-c-host did not finish in 2 minutes");
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Stage(string mode, string file, string id, string config = "") =>
        $"{BuildLayout.Plugin(mode, file)}:{id}{(config.Length > 0 ? ":" + config : "")}";

    [Theory]
    [InlineData("aot")]
    [InlineData("hosted")]
    public void Lists_both_plugins_with_the_sdk_of_the_mode(string mode)
    {
        Result result = CHost("", "list", BuildLayout.Plugin(mode, "libnp_cs_regex.so"), BuildLayout.Plugin(mode, "libnp_cs_wordfreq.so"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"sdk {LibraryState.SdkName} ({mode})", result.Stdout);
        Assert.Contains(Regex + " 1.0.0", result.Stdout);
        Assert.Contains(WordFreq + " 1.0.0", result.Stdout);
    }

    [Fact]
    public void Two_aot_and_two_hosted_plugins_run_in_one_c_process()
    {
        // Ids are unique per host, so each plugin comes once: AOT regex + hosted wordfreq, then the reverse, plus the
        // throwing fixture in both modes as pass-through stages (ids differ in each run).
        Result first = CHost("the fox\nthe dog\na fox jumps\n", "run",
            Stage("aot", "libnp_cs_regex.so", Regex, "pattern=fox"),
            Stage("hosted", "libnp_cs_wordfreq.so", WordFreq, "top=2"),
            $"{BuildLayout.Fixture("hosted", "libnp_cs_throwing.so")}:{Throwing}");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("fox\t2\na\t1\n", first.Stdout);

        Result second = CHost("the fox\nthe dog\na fox jumps\n", "run",
            $"{BuildLayout.Fixture("aot", "libnp_cs_throwing.so")}:{Throwing}",
            Stage("hosted", "libnp_cs_regex.so", Regex, @"pattern=(\w+) fox;replace=$1 cat"),
            Stage("aot", "libnp_cs_wordfreq.so", WordFreq, "top=1"));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("cat\t2\n", second.Stdout);
    }

    [Theory]
    [InlineData("aot")]
    [InlineData("hosted")]
    public void A_throwing_plugin_fails_the_run_with_its_message_and_the_process_exits_normally(string mode)
    {
        Result result = CHost("ok\nthrow\nnever\n", "run", $"{BuildLayout.Fixture(mode, "libnp_cs_throwing.so")}:{Throwing}");

        Assert.True(result.ExitCode == 1, result.ToString()); // the C host's "plugin call failed", not 134 (abort)
        Assert.Contains("NP_ERR_PANIC", result.Stderr);
        Assert.Contains("unhandled System.InvalidOperationException: throwing plugin: triggered by record 1", result.Stderr);
        Assert.Contains("ThrowingPlugin.Process", result.Stderr); // the stack trace, through the host's log
    }

    [Theory]
    [InlineData("libnp_cs_fixture_missing_assembly.so", "the managed plugin assembly", "np_cs_fixture_missing_assembly.managed/np_cs_fixture_missing_assembly.dll' is missing")]
    [InlineData("libnp_cs_fixture_bad_runtimeconfig.so", "InvalidConfigFile", "np_cs_fixture_bad_runtimeconfig.runtimeconfig.json")]
    [InlineData("libnp_cs_fixture_no_runtime.so", "FrameworkMissingFailure", "version '99.0.0'")]
    [InlineData("libnp_cs_fixture_not_a_plugin.so", "cannot load NativePlugins.PluginSdk.Generated.NplugExports.NpEntryHosted", "np_cs_fixture_not_a_plugin.dll")]
    public void A_hosted_plugin_that_cannot_start_is_refused_with_a_clear_message(string file, string reason, string detail)
    {
        string path = BuildLayout.Fixture("aot", file);
        Result result = CHost("", "list", path, BuildLayout.Plugin("aot", "libnp_cs_regex.so"));

        Assert.True(result.ExitCode == 3, result.ToString()); // refused, not crashed
        // ABI 1.2: the shim's reason arrives in np_negotiation_t.error and is part of the host's own refusal line;
        // the shim prints nothing itself (its "nplug hosted shim: FILE: " line is for hosts without that field).
        string refusal = Assert.Single(result.Stderr.Split('\n'), l => l.Contains("refused [NPH_E_ENTRY]"));
        Assert.Contains($"{path}: np_entry failed with NP_ERR_UNSUPPORTED (-3): nplug hosted shim: ", refusal);
        Assert.Contains(reason, refusal);
        Assert.Contains(detail, refusal);
        Assert.DoesNotContain($"nplug hosted shim: {path}: ", result.Stderr);
        Assert.Contains(Regex, result.Stdout); // the other library is still listed
    }
}
