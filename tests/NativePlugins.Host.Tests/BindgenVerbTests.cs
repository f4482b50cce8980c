using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.TestSupport;
using Xunit;

namespace NativePlugins.Host.Tests;

/// <summary>`nplug bindgen` is wired into the CLI: listed in --help, its own usage, and a contract outside the
/// repository resolves `#include &lt;nplug/nplug.h&gt;` through the ABI headers shipped next to nplug.</summary>
public sealed class BindgenVerbTests
{
    private static (int Exit, string Out, string Err) Nplug(params string[] args)
    {
        using var input = new MemoryStream();
        using var output = new MemoryStream();
        var error = new StringWriter();
        int exit;
        using (var console = new CliConsole(input, output, error)) exit = NplugCli.Run(args, console);
        return (exit, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    [Fact]
    public void Help_lists_bindgen_and_bindgen_has_its_usage()
    {
        Assert.Contains("bindgen", Nplug("--help").Out);
        var r = Nplug("bindgen", "--help");
        Assert.Equal(ExitCodes.Ok, r.Exit);
        Assert.Contains("usage: nplug bindgen <header>...", r.Out);
        Assert.Equal(ExitCodes.Usage, Nplug("bindgen").Exit);
    }

    [Fact]
    public void The_ABI_headers_ship_next_to_nplug()
    {
        string shipped = Path.Combine(AppContext.BaseDirectory, "include", "nplug");
        foreach (var header in Directory.EnumerateFiles(Path.Combine(RepoLayout.RepoRoot, "interop", "include", "nplug"), "*.h", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Path.Combine(RepoLayout.RepoRoot, "interop", "include", "nplug"), header);
            Assert.True(File.Exists(Path.Combine(shipped, rel)), $"{rel} is not shipped next to nplug");
        }
    }

    [Fact]
    public void A_contract_outside_the_repository_is_generated()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nplug-bindgen-verb-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(dir, "acme"));
        try
        {
            File.Copy(Path.Combine(RepoLayout.RepoRoot, "tests", "examples", "greeter", "include", "acme", "greeter.h"), Path.Combine(dir, "acme", "greeter.h"));
            var r = Nplug("bindgen", Path.Combine(dir, "acme", "greeter.h"), "--include", dir, "--out", Path.Combine(dir, "out"));
            Assert.True(r.Exit == ExitCodes.Ok, r.Err);
            Assert.True(File.Exists(Path.Combine(dir, "out", "c", "greeter_layout.g.h")));
            Assert.True(File.Exists(Path.Combine(dir, "out", "csharp", "Greeter.g.cs")));
            Assert.Equal(ExitCodes.Ok, Nplug("bindgen", Path.Combine(dir, "acme", "greeter.h"), "--include", dir, "--out", Path.Combine(dir, "out"), "--check").Exit);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
