using CommandLine;
using CommandLine.Text;
using NativePlugins.Cli.Commands;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Cli;

/// <summary>The nplug command line: parses, dispatches, and turns every failure into one readable line on stderr
/// and a documented exit code (<see cref="ExitCodes"/>). Callable in-process (tests pass their own streams).</summary>
public static class NplugCli
{
    public static int Run(string[] args)
    {
        using var console = CliConsole.System();
        return Run(args, console);
    }

    public static int Run(string[] args, CliConsole console)
    {
        try
        {
            // bindgen parses its own command line (repeatable --include, headers anywhere; shared with nplug-generator).
            if (args.Length > 0 && args[0] == BindgenCommand.Verb) return BindgenCommand.Run(args[1..], console);
            using var parser = new Parser(s =>
            {
                s.AllowMultiInstance = true;
                s.CaseInsensitiveEnumValues = true;
                s.HelpWriter = null; // help is rendered below, to the right stream
            });
            var parsed = parser.ParseArguments<ListOptions, InspectOptions, RunOptions, DemoOptions, CheckOptions, BindgenOptions>(args);
            return parsed.MapResult(
                (ListOptions o) => ListCommand.Run(o, console),
                (InspectOptions o) => InspectCommand.Run(o, console),
                (RunOptions o) => RunCommand.Run(o, console),
                (DemoOptions o) => DemoCommand.Run(o, console),
                (CheckOptions o) => CheckCommand.Run(o, console),
                (BindgenOptions _) => BindgenCommand.Run([], console),
                errors => Help(parsed, errors, console));
        }
        catch (PluginLoadException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (PluginCallException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (PluginNotFoundException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (NotSupportedException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (UsageException e) { return Fail(console, e.Message, ExitCodes.Usage); }
        catch (IOException e) { return Fail(console, e.Message, ExitCodes.IoError); }
        catch (UnauthorizedAccessException e) { return Fail(console, e.Message, ExitCodes.IoError); }
        catch (Exception e) { return Fail(console, $"internal error: {e}", ExitCodes.Internal); }
        finally
        {
            console.Out.Flush();
            console.Error.Flush();
        }
    }

    private static int Help(ParserResult<object> parsed, IEnumerable<Error> errors, CliConsole console)
    {
        var list = errors.ToList();
        bool requested = list.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError
            or ErrorType.VersionRequestedError);
        var help = HelpText.AutoBuild(parsed, h =>
        {
            h.Heading = "nplug - load and run NativePlugins libraries (C ABI 1.x)";
            h.Copyright = "";
            h.AddDashesToOption = true;
            h.AdditionalNewLineAfterOption = false;
            h.AddPostOptionsLine(ExitCodes.HelpText);
            h.AddPostOptionsLine($"Search path: --plugin-dir..., then {PluginHostOptions.PluginPathEnvironmentVariable} " +
                "(path-separator separated), then plugins/ next to nplug.");
            return HelpText.DefaultParsingErrorsHandler(parsed, h);
        }, e => e, verbsIndex: true);
        if (list.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            console.Out.WriteLine($"nplug {typeof(NplugCli).Assembly.GetName().Version} (C ABI {AbiVersion.Current})");
            return ExitCodes.Ok;
        }
        if (requested)
        {
            console.Out.WriteLine(help);
            return ExitCodes.Ok;
        }
        console.Error.WriteLine(help);
        return ExitCodes.Usage;
    }

    private static int Fail(CliConsole console, string message, int code)
    {
        console.Out.Flush();
        console.Error.WriteLine($"nplug: error: {message}");
        return code;
    }
}
