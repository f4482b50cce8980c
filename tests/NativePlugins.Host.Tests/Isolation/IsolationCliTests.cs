using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary><c>nplug run --isolate</c> and <c>nplug demo --isolate</c>: the same records as in-process, and a
/// crashing plugin fails its run with the typed error instead of ending nplug.</summary>
public class IsolationCliTests
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

    [Fact]
    public void Run_isolate_gives_the_in_process_records_and_reports_a_crash_as_a_failed_run()
    {
        string[] dirs = ["--no-default-path", "--plugin-dir", RepoLayout.PluginDir, "--plugin-dir", FixtureDir, "-q"];
        var inProcess = Nplug("abc\nété\n", ["run", "--no-default-path", "--plugin-dir", RepoLayout.PluginDir, "-q", "-p", Infrastructure.Hosts.Upper]);
        var isolated = Nplug("abc\nété\n", ["run", .. dirs, "--isolate", "-p", Infrastructure.Hosts.Upper]);
        Assert.Equal(0, isolated.Exit);
        Assert.Equal(inProcess.Out, isolated.Out);

        var crashed = Nplug("a\nsegv\n", ["run", .. dirs, "--isolate", "-p", $"{Segv},{Infrastructure.Hosts.Upper}"]);
        Assert.Equal(1, crashed.Exit);
        Assert.Contains($"plugin '{Segv}': process crashed the worker process: killed by SIGSEGV (signal 11)", crashed.Err);
        // The libraries that crash while loading are reported and skipped; the run goes on without them.
        Assert.Contains("libnp_fixture_iso_crash_entry.so: WorkerCrashed", crashed.Err);
    }

    [Fact]
    public void Run_isolate_memory_limit_ends_a_leaking_worker_alone_and_bad_sizes_are_usage_errors()
    {
        string[] dirs = ["--no-default-path", "--plugin-dir", FixtureDir, "-q"];
        var leaked = Nplug(string.Concat(Enumerable.Repeat("leak\n", 16)), ["run", .. dirs, "--isolate", "--memory-limit", "64M", "-p", Leak]);
        Assert.Equal(1, leaked.Exit);
        // Where this system gives no usable memory cgroup, the library is refused with that reason instead.
        Assert.True(leaked.Err.Contains("the kernel's OOM killer, at the worker's memory limit", StringComparison.Ordinal) ||
            leaked.Err.Contains("IsolationLimitUnavailable", StringComparison.Ordinal), leaked.Err);

        var withoutIsolate = Nplug("", ["run", .. dirs, "--memory-limit", "64M", "-p", Leak]);
        Assert.Equal(ExitCodes.Usage, withoutIsolate.Exit);
        Assert.Contains("--memory-limit limits worker processes: it needs --isolate", withoutIsolate.Err);
        var notASize = Nplug("", ["run", .. dirs, "--isolate", "--memory-limit", "64X", "-p", Leak]);
        Assert.Equal(ExitCodes.Usage, notASize.Exit);
        Assert.Contains("--memory-limit: '64X' is not a size", notASize.Err);
    }

    [Fact]
    public void Demo_isolate_prints_what_the_in_process_demo_prints()
    {
        var inProcess = Nplug(null, "demo", "--no-default-path", "--plugin-dir", RepoLayout.PluginDir);
        var isolated = Nplug(null, "demo", "--isolate", "--no-default-path", "--plugin-dir", RepoLayout.PluginDir);
        Assert.Equal(0, inProcess.Exit);
        Assert.Equal(0, isolated.Exit);
        Assert.NotEmpty(isolated.Out);
        Assert.Equal(inProcess.Out, isolated.Out);
    }
}
