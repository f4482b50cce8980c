using System.Reflection;
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
    /// <summary>Every verb: its options type (whose [Verb] attribute names it and whose properties are its options)
    /// and the command that runs it. Adding a verb is one line here; the parser, the help index and the "did you
    /// mean" suggestions all read this list.</summary>
    private static readonly IReadOnlyList<VerbCommand> Verbs =
    [
        VerbCommand.Of<ListOptions>(ListCommand.Run),
        VerbCommand.Of<InspectOptions>(InspectCommand.Run),
        VerbCommand.Of<RunOptions>(RunCommand.Run),
        VerbCommand.Of<DemoOptions>(DemoCommand.Run),
        VerbCommand.Of<CheckOptions>(CheckCommand.Run),
        VerbCommand.Of<BindgenOptions>((_, console) => BindgenCommand.Run([], console)),
        VerbCommand.Of<NewOptions>(NewCommand.Run),
        VerbCommand.Of<ManifestOptions>(ManifestCommand.Run),
    ];

    /// <summary>The verbs a user can type: the registered ones, then the parser's built-in <c>help</c> and
    /// <c>version</c>.</summary>
    public static IReadOnlyList<string> VerbNames { get; } = [.. Verbs.Select(v => v.Name), "help", "version"];

    public static int Run(string[] args)
    {
        using var console = CliConsole.System();
        return Run(args, console);
    }

    public static int Run(string[] args, CliConsole console)
    {
        VerbCommand? verb = null;
        try
        {
            // bindgen parses its own command line (repeatable --include, headers anywhere; shared with nplug-generator).
            if (args.Length > 0 && args[0] == BindgenCommand.Verb) return BindgenCommand.Run(args[1..], console);
            using var parser = new Parser(s =>
            {
                s.AllowMultiInstance = true;
                s.CaseInsensitiveEnumValues = true;
                s.HelpWriter = null; // help and errors are rendered below, to the right stream
            });
            var parsed = parser.ParseArguments(args, [.. Verbs.Select(v => v.Options)]);
            if (parsed is Parsed<object> ok)
            {
                verb = Verbs.Single(v => v.Options == ok.Value.GetType());
                if (UsageErrors.DanglingOption(args[^1], verb.Options) is { } dangling)
                    throw new UsageException($"{verb.Name}: option {dangling} needs a value");
                return verb.Run(ok.Value, console);
            }
            return NotParsed(args, parsed, ((NotParsed<object>)parsed).Errors.ToList(), console);
        }
        catch (PluginLoadException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (PluginCallException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (PluginNotFoundException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (NotSupportedException e) { return Fail(console, e.Message, ExitCodes.PluginError); }
        catch (UsageException e) { return UsageFailure(console, [e.Message], verb?.Name); }
        // The reader of stdout is gone (`nplug run ... | head -1`): stop quietly, as a SIGPIPE would, but exit 0.
        catch (IOException e) when (CliConsole.IsBrokenPipe(e)) { return ExitCodes.Ok; }
        catch (IOException e) { return Fail(console, e.Message, ExitCodes.IoError); }
        catch (UnauthorizedAccessException e) { return Fail(console, e.Message, ExitCodes.IoError); }
        catch (Exception e) { return Fail(console, $"internal error: {e}", ExitCodes.Internal); }
        finally
        {
            FlushOut(console);
            console.Error.Flush();
        }
    }

    /// <summary>Help, version, or a command line the parser refused.</summary>
    private static int NotParsed(string[] args, ParserResult<object> parsed, List<Error> errors, CliConsole console)
    {
        if (errors.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            console.Out.WriteLine(VersionLine);
            return ExitCodes.Ok;
        }
        if (errors.OfType<HelpVerbRequestedError>().FirstOrDefault() is { } helpVerb)
        {
            // "nplug help check" is "nplug check --help" (the parser's own handling prints the verb index instead);
            // going through Run also sends "help bindgen" to bindgen's own parser.
            if (helpVerb.Matched) return Run([helpVerb.Verb, "--help"], console);
            // An unknown verb comes without its name: it is the word after "help".
            if (args.Length < 2)
            {
                console.Out.WriteLine(RenderHelp(parsed, verbsIndex: true));
                return ExitCodes.Ok;
            }
            return UsageFailure(console, [UnknownVerb(args[1])], null);
        }
        var current = Verbs.FirstOrDefault(v => v.Options == parsed.TypeInfo.Current);
        if (errors.Any(e => e.Tag == ErrorType.HelpRequestedError))
        {
            console.Out.WriteLine(RenderHelp(parsed, verbsIndex: current is null));
            return ExitCodes.Ok;
        }
        if (errors.Any(e => e.Tag == ErrorType.NoVerbSelectedError))
        {
            // Plain "nplug": the verb index is the most useful answer, but it is still not a command.
            console.Error.WriteLine(RenderHelp(parsed, verbsIndex: true));
            return ExitCodes.Usage;
        }
        if (errors.OfType<BadVerbSelectedError>().FirstOrDefault() is { } badVerb)
            return UsageFailure(console, [UnknownVerb(badVerb.Token)], null);
        var messages = errors.Select(e => UsageErrors.Describe(e, current?.Options)).Distinct().ToList();
        if (messages.Count == 0) messages.Add($"cannot parse the command line: {string.Join(' ', args)}");
        return UsageFailure(console, messages.Select(m => current is null ? m : $"{current.Name}: {m}"), current?.Name);
    }

    private static string UnknownVerb(string typed)
    {
        var close = UsageErrors.Closest(typed, VerbNames);
        return close.Count > 0
            ? $"unknown verb '{typed}'; did you mean {UsageErrors.Alternatives(close)}?"
            : $"unknown verb '{typed}'; the verbs are {string.Join(", ", VerbNames)}";
    }

    /// <summary>"nplug 0.2.0 (C ABI 1.3)": the product version of interop/VERSION, without build metadata.</summary>
    private static string VersionLine
    {
        get
        {
            var assembly = typeof(NplugCli).Assembly;
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown";
            var plus = version.IndexOf('+');
            return $"nplug {(plus >= 0 ? version[..plus] : version)} (C ABI {AbiVersion.Current})";
        }
    }

    private static string RenderHelp(ParserResult<object> parsed, bool verbsIndex) =>
        HelpText.AutoBuild(parsed, h =>
        {
            h.Heading = "nplug - load and run NativePlugins libraries (C ABI 1.x)";
            h.Copyright = "";
            h.AddDashesToOption = true;
            h.AdditionalNewLineAfterOption = false;
            h.AddPostOptionsLine(ExitCodes.HelpText);
            h.AddPostOptionsLine($"Search path: --plugin-dir..., then {PluginHostOptions.PluginPathEnvironmentVariable} " +
                "(path-separator separated), then plugins/ next to nplug.");
            h.AddPostOptionsLine("Run 'nplug help <verb>' for the options and examples of a verb.");
            return h;
        }, e => e, verbsIndex);

    /// <summary>A usage error: the message lines, then where to read more; exit code 2.</summary>
    private static int UsageFailure(CliConsole console, IEnumerable<string> messages, string? verb)
    {
        FlushOut(console);
        foreach (var m in messages) console.Error.WriteLine($"nplug: error: {m}");
        console.Error.WriteLine(verb is null ? "Try 'nplug help' for the list of verbs." : $"Try 'nplug help {verb}' for its options and examples.");
        return ExitCodes.Usage;
    }

    /// <summary>Flushes stdout before anything goes to stderr (so the two interleave in order); a broken pipe is
    /// no reason to lose the message.</summary>
    private static void FlushOut(CliConsole console)
    {
        try
        {
            console.Out.Flush();
        }
        catch (IOException e) when (CliConsole.IsBrokenPipe(e))
        {
            // Nobody reads stdout any more; what is left in the buffer has no reader either.
        }
    }

    private static int Fail(CliConsole console, string message, int code)
    {
        FlushOut(console);
        console.Error.WriteLine($"nplug: error: {message}");
        return code;
    }

    private sealed record VerbCommand(Type Options, Func<object, CliConsole, int> Run)
    {
        public string Name { get; } = Options.GetCustomAttribute<VerbAttribute>()?.Name
            ?? throw new InvalidOperationException($"{Options.Name} has no [Verb] attribute");

        public static VerbCommand Of<T>(Func<T, CliConsole, int> run) where T : class =>
            new(typeof(T), (options, console) => run((T)options, console));
    }
}
