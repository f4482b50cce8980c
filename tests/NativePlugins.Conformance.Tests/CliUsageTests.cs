using System.Reflection;
using System.Text;
using CommandLine;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Conformance.Tests;

/// <summary>How nplug answers a command line it cannot run: help for a verb, "did you mean" for typos, the name of what
/// is missing, the usage exit code; and --version.</summary>
public class CliUsageTests
{
    private static (int Code, string Out, string Err) Nplug(params string[] args) => InProcessNplug.Run(args);

    [Theory]
    [InlineData("check", "--list-checks")]
    [InlineData("run", "--pipeline")]
    [InlineData("inspect", "--json")]
    public void Help_verb_shows_that_verbs_help(string verb, string option)
    {
        var (code, output, err) = Nplug("help", verb);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains(option, output);
        Assert.DoesNotContain("Display more information on a specific command", output); // the verb index's line
        Assert.Equal(Nplug(verb, "--help").Out, output);
    }

    [Fact]
    public void Help_bindgen_shows_bindgens_own_usage()
    {
        var (code, output, _) = Nplug("help", "bindgen");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("usage: nplug bindgen <header>...", output);
    }

    [Fact]
    public void Help_alone_lists_every_verb()
    {
        var (code, output, _) = Nplug("help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var verb in NplugCli.VerbNames) Assert.Contains(verb, output);
    }

    [Theory]
    [InlineData("chek", "check")]
    [InlineData("lsit", "list")]
    [InlineData("inpsect", "inspect")]
    [InlineData("Run", "run")]
    public void A_mistyped_verb_gets_a_suggestion_and_the_usage_exit_code(string typed, string meant)
    {
        var (code, _, err) = Nplug(typed, "x");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"nplug: error: unknown verb '{typed}'; did you mean '{meant}'?", err);

        var (helpCode, _, helpErr) = Nplug("help", typed);
        Assert.Equal(ExitCodes.Usage, helpCode);
        Assert.Contains($"unknown verb '{typed}'; did you mean '{meant}'?", helpErr);
    }

    [Fact]
    public void A_verb_far_from_every_verb_lists_them_instead()
    {
        var (code, _, err) = Nplug("frobnicate");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.DoesNotContain("did you mean", err);
        Assert.Contains($"the verbs are {string.Join(", ", NplugCli.VerbNames)}", err);
    }

    [Fact]
    public void Every_verb_type_of_nplug_is_registered()
    {
        // The suggestions and the parser read one list; a [Verb] class missing from it would be unreachable.
        var declared = typeof(NplugCli).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<VerbAttribute>()?.Name).OfType<string>().Order();
        Assert.Equal(declared, NplugCli.VerbNames.Except(["help", "version"]).Order());
    }

    [Theory]
    [InlineData("inspect: missing argument <file>", "inspect")]
    [InlineData("check: missing argument <library>", "check")]
    [InlineData("run: missing option --pipeline", "run")]
    [InlineData("list: unknown option '--jsn'; did you mean '--json'?", "list", "--jsn")]
    [InlineData("run: unknown option '-z'\n", "run", "-z")] // one letter off a one-letter option is no typo
    [InlineData("run: invalid value for --batch-size (expected a whole number)", "run", "-p", "x", "--batch-size", "many")]
    [InlineData("check: invalid value for --timeout (expected a number)", "check", "--timeout", "soon", "lib.so")]
    [InlineData("check: option --junit needs a value", "check", "lib.so", "--junit")] // the parser itself lets it pass
    [InlineData("run: option -i needs a value", "run", "-p", "x", "-i")]
    [InlineData("run: --batch-size must be positive (got 0)", "run", "-p", "org.example.not-loaded", "--batch-size", "0")]
    public void Usage_errors_name_what_is_wrong_as_the_help_does(string message, params string[] args)
    {
        var (code, _, err) = Nplug(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("nplug: error: " + message, err.ReplaceLineEndings("\n"));
        Assert.Contains($"Try 'nplug help {args[0]}'", err);
    }

    [Fact]
    public void Version_is_the_product_version_and_the_abi()
    {
        var version = File.ReadAllText(RepoLayout.RepoFile("interop/VERSION")).Trim();
        var (code, output, _) = Nplug("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal($"nplug {version} (C ABI {Hosting.AbiVersion.Current})", output.Trim());
    }

    [Theory]
    [InlineData("check", "check", 0)]
    [InlineData("chekc", "check", 1)] // a swap of neighbours is one edit
    [InlineData("chk", "check", 2)]
    [InlineData("", "run", 3)]
    public void Distance_counts_edits(string a, string b, int expected) => Assert.Equal(expected, UsageErrors.Distance(a, b));

    [Fact]
    public void Closest_suggests_only_near_candidates()
    {
        string[] verbs = ["list", "inspect", "run", "demo", "check"];
        Assert.Equal(["check"], UsageErrors.Closest("chekc", verbs));
        Assert.Equal(["inspect"], UsageErrors.Closest("inspcet", verbs));
        Assert.Empty(UsageErrors.Closest("status", verbs));
        Assert.Empty(UsageErrors.Closest("x", ["y", "z"])); // every one-letter word is one edit from another
        Assert.Equal(["--json"], UsageErrors.Closest("--josn", ["--json", "--jobs", "--junit"]));
    }

    [Fact]
    public void A_directory_as_input_is_an_io_error_that_says_so()
    {
        using var dir = new TempDirectory("nplug-cli-tests");
        var (code, _, err) = Nplug("run", "-p", "org.nativeplugins.c.upper", "-i", dir.Path, "--plugin-dir", RepoLayout.PluginDir, "--no-default-path");
        Assert.Equal(ExitCodes.IoError, code);
        Assert.Contains($"nplug: error: {dir.Path}: is a directory, not an input file", err);
    }

    [Fact]
    public void List_of_a_missing_directory_says_so_rather_than_a_refused_file()
    {
        var (code, _, err) = Nplug("list", "/nonexistent/plugins");
        Assert.Equal(ExitCodes.PluginError, code);
        Assert.Contains("nplug: 1 directory not found", err);
        Assert.DoesNotContain("refused", err);
    }
}
