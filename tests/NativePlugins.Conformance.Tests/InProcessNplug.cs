using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Conformance.Tests;

/// <summary>Runs nplug in this process over an in-memory console (empty stdin) and returns its exit code, stdout and
/// stderr: the one way the CLI tests of this project call the verbs.</summary>
internal static class InProcessNplug
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        using var console = new CliConsole(new MemoryStream(), stdout, stderr);
        var code = NplugCli.Run(args, console);
        console.Out.Flush();
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }
}
