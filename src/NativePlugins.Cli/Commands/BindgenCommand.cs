using CommandLine;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Generator.Bindgen;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// The <c>nplug bindgen</c> verb as <c>nplug --help</c> lists it. Its command line (interop/interfaces.md section 2:
/// repeatable <c>--include</c>, headers anywhere) is parsed by <see cref="Bindgen"/> itself, which the generator's own
/// command line shares, so <see cref="NplugCli"/> hands the raw arguments over before the verb parser sees them.
/// </summary>
[Verb("bindgen", HelpText = "Generate C, C# and Rust bindings for your own interface header (interop/interfaces.md): " +
    "nplug bindgen <header>... --out <dir> [--include <dir>]... [--csharp-namespace <ns>] [--rust-module <name>] [--check]. " +
    "Exit codes: 0 ok, 1 the header breaks a rule (I1-I7) or --check found stale files, 2 usage. See nplug bindgen --help.")]
public sealed class BindgenOptions
{
}

/// <summary>Runs bindgen on the CLI's streams. The ABI headers a contract includes ship next to nplug
/// (<c>include/nplug/</c>), so it works outside the repository.</summary>
public static class BindgenCommand
{
    public const string Verb = "bindgen";

    /// <param name="workingDirectory">What relative paths in <paramref name="args"/> are relative to (default: the
    /// current directory); <see cref="NewCommand"/> passes the project it creates.</param>
    public static int Run(string[] args, CliConsole console, string? workingDirectory = null) =>
        Bindgen.Run(args, console.Out, console.Error, workingDirectory);
}
