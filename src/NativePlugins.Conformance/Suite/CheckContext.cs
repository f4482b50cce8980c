using NativePlugins.Conformance.Harness;

namespace NativePlugins.Conformance.Suite;

/// <summary>
/// What a running check sees: the library (and, for transform checks, the plugin) under test, the settings, and the
/// means to report. A check records every problem it finds with <see cref="Problem"/> and goes on where it can, so
/// that one run lists them all; <see cref="Fail"/> stops it, <see cref="Skip"/> says it does not apply.
/// </summary>
internal sealed class CheckContext(
    Check check,
    string libraryPath,
    Func<LibraryUnderTest> library,
    PluginUnderTest? plugin,
    SuiteSettings settings,
    Action<string> phase,
    InterfaceUnderTest? iface = null)
{
    private readonly List<string> _problems = [];
    private readonly List<string> _notes = [];
    private IReadOnlyList<IReadOnlyList<byte[]>>? _batches;

    public CheckInfo Info => check.Info;

    /// <summary>The library file as given to the runner.</summary>
    public string LibraryPath { get; } = libraryPath;
    public SuiteSettings Settings { get; } = settings;

    /// <summary>The library, opened and entered on first use. Throws <see cref="LibraryUnusableException"/> (turned
    /// into a skip) when it cannot be.</summary>
    public LibraryUnderTest Library => library();

    /// <summary>The library, initialised (init called once per worker process).</summary>
    public LibraryUnderTest InitializedLibrary
    {
        get
        {
            var lib = library();
            lib.EnsureInitialized();
            return lib;
        }
    }

    /// <summary>The np.transform/1 plugin under test (transform checks only); the library is initialised.</summary>
    public PluginUnderTest Plugin
    {
        get
        {
            if (plugin is null) throw new InvalidOperationException($"{Info.Name} is not a transform check");
            plugin.Library.EnsureInitialized();
            return plugin;
        }
    }

    /// <summary>The user interface under test (interface checks only); the library is initialised.</summary>
    public InterfaceUnderTest Interface
    {
        get
        {
            if (iface is null) throw new InvalidOperationException($"{Info.Name} is not an interface check");
            iface.Library.EnsureInitialized();
            return iface;
        }
    }

    /// <summary>The valid input stream (the user's --input or the built-in sample), as batches.</summary>
    public IReadOnlyList<IReadOnlyList<byte[]>> Batches =>
        _batches ??= SampleRecords.Batches(Settings.Records ?? SampleRecords.Default);

    public IReadOnlyList<byte[]> AllRecords => Batches.SelectMany(b => b).ToList();

    /// <summary>How long loops that repeat work may run (half the check's timeout), so that a slow plugin still
    /// finishes the check and only the time-budget checks fail.</summary>
    public TimeSpan WorkBudget => Settings.CheckTimeout * 0.5;

    public IReadOnlyList<string> Problems => _problems;
    public IReadOnlyList<string> Notes => _notes;
    public string? PassSummary { get; private set; }

    /// <summary>Announces the step about to run: if the plugin crashes or hangs in it, the report names it.</summary>
    public void Phase(string what) => phase(what);

    /// <summary>Records a rule violation; the check goes on and fails at the end.</summary>
    public void Problem(string problem)
    {
        if (_problems.Count < 50 && !_problems.Contains(problem)) _problems.Add(problem);
    }

    public void AddProblems(IEnumerable<string> problems)
    {
        foreach (var p in problems) Problem(p);
    }

    /// <summary>A remark shown with the verdict (for example "ran 412 of 10000 iterations in the time budget").</summary>
    public void Note(string note) => _notes.Add(note);

    /// <summary>The one-line summary of a passing check: what was verified.</summary>
    public void Passed(string summary) => PassSummary = summary;

    public void Fail(string problem)
    {
        Problem(problem);
        throw new CheckFailedException(problem);
    }

    public void Skip(string reason) => throw new CheckSkippedException(reason);

    /// <summary>Opens an instance with the plugin's config, or skips the check when create fails (the failure
    /// itself is lifecycle.basic's finding).</summary>
    public TransformSession OpenSession(string? config = null, TestHost? host = null)
    {
        var session = TransformSession.TryOpen(Plugin, out var outcome, config, host);
        if (session is null) Skip($"cannot create an instance: {outcome.Describe()} (see lifecycle.basic)");
        return session!;
    }
}
