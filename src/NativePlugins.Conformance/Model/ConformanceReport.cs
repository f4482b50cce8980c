namespace NativePlugins.Conformance;

/// <summary>One plugin of a library as the suite saw it in its descriptor.</summary>
/// <param name="Index">Position in np_library_t.plugins.</param>
/// <param name="Id">The plugin id (escaped for display when it is not valid UTF-8).</param>
/// <param name="Threading">"single", "thread-safe" or the raw value when unknown.</param>
/// <param name="Interfaces">The interface ids the plugin lists.</param>
public sealed record PluginSummary(int Index, string Id, string Threading, IReadOnlyList<string> Interfaces)
{
    /// <summary>True when the plugin lists np.transform/1, so the transform checks run on it.</summary>
    public bool IsTransform => Interfaces.Contains(Interop.NpAbi.NP_TRANSFORM_ID_STRING);
}

/// <summary>Every verdict for one library file.</summary>
/// <param name="Path">The library file as given.</param>
/// <param name="Sdk">np_library_t.sdk, when the library could be entered.</param>
/// <param name="Plugins">The plugins found in its descriptor (empty when it could not be entered).</param>
/// <param name="DescribeError">Why the library could not be described, when it could not.</param>
/// <param name="Results">One result per check and plugin, in suite order.</param>
/// <param name="Duration">Wall time spent on this library.</param>
public sealed record LibraryReport(
    string Path,
    string? Sdk,
    IReadOnlyList<PluginSummary> Plugins,
    string? DescribeError,
    IReadOnlyList<CheckResult> Results,
    TimeSpan Duration)
{
    public int Passed => Results.Count(r => r.Verdict == CheckVerdict.Pass);
    public int Failed => Results.Count(r => r.Verdict == CheckVerdict.Fail);
    public int Skipped => Results.Count(r => r.Verdict == CheckVerdict.Skip);
}

/// <summary>The outcome of one <c>nplug check</c> run over one or more libraries.</summary>
public sealed record ConformanceReport(IReadOnlyList<LibraryReport> Libraries, TimeSpan Duration)
{
    public int Passed => Libraries.Sum(l => l.Passed);
    public int Failed => Libraries.Sum(l => l.Failed);
    public int Skipped => Libraries.Sum(l => l.Skipped);

    /// <summary><see cref="ConformanceExitCodes.Success"/> when no check failed, otherwise
    /// <see cref="ConformanceExitCodes.ChecksFailed"/>.</summary>
    public int ExitCode => Failed == 0 ? ConformanceExitCodes.Success : ConformanceExitCodes.ChecksFailed;
}

/// <summary>The exit codes of <c>nplug check</c> (documented in the README).</summary>
public static class ConformanceExitCodes
{
    /// <summary>Every selected check passed or was skipped.</summary>
    public const int Success = 0;
    /// <summary>At least one check failed (a crash or a timeout of the plugin is a failed check).</summary>
    public const int ChecksFailed = 1;
    /// <summary>The command line was wrong: no library, a file that does not exist, a pattern that selects no check.</summary>
    public const int UsageError = 2;
    /// <summary>A file could not be read or written (--input, --junit).</summary>
    public const int IoError = 3;
    /// <summary>The checker itself failed (a bug in nplug check).</summary>
    public const int InternalError = 4;
}
