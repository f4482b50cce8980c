using NativePlugins.Interop;

namespace NativePlugins.Conformance;

/// <summary>What <see cref="ConformanceRunner.Run"/> checks and how.</summary>
public sealed record ConformanceOptions
{
    /// <summary>The plugin library files to check.</summary>
    public required IReadOnlyList<string> Libraries { get; init; }

    /// <summary>Which checks to run: exact names, globs (<c>input.*</c>, <c>*.flush-*</c>) or rule ids (<c>P6</c>);
    /// empty runs the whole suite.</summary>
    public IReadOnlyList<string> CheckPatterns { get; init; } = [];

    /// <summary>Wall-time limit of one check (scaled by <see cref="CheckInfo.TimeoutScale"/>); a check still running
    /// then fails as hung and its worker is killed.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Worker processes run at the same time.</summary>
    public int Jobs { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Run every check in this process (for a debugger). A crashing plugin then takes the runner down,
    /// and checks that need a fresh process measure a warm one.</summary>
    public bool InProcess { get; init; }

    /// <summary>How worker processes are started; null means "this executable again" (see
    /// <see cref="WorkerLaunch.CurrentProcess"/>).</summary>
    public WorkerLaunch? Worker { get; init; }

    /// <summary>The user interfaces the interface checks know (interop/interfaces.md): each plugin that lists one of
    /// these ids gets the <c>interface.*</c> checks against its contract. <c>nplug check --interface</c> fills it from
    /// bindgen's layout manifests; a library user passes the generated <c>&lt;VTable&gt;Contract.Value</c>. Interfaces
    /// a plugin lists that no contract describes are reported as not checked. Ids must be unique.</summary>
    public IReadOnlyList<NativeInterfaceContract> Interfaces { get; init; } = [];

    /// <summary>What the checks feed to plugins.</summary>
    public SuiteSettings Settings { get; init; } = new();

    /// <summary>Told about progress while the suite runs (the console reporter draws its progress bar from it).</summary>
    public IConformanceObserver? Observer { get; init; }
}

/// <summary>The inputs the checks use; passed to every worker.</summary>
public sealed record SuiteSettings
{
    /// <summary>Config string per plugin id for every create of the transform and interface checks; plugins not listed
    /// get the empty config, which np.transform/1 defines as "defaults" (and a user interface's create should accept
    /// the same way, or be given one here).</summary>
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();

    /// <summary>The valid input stream, one record per entry; null uses the built-in sample
    /// (<see cref="Harness.SampleRecords"/>).</summary>
    public IReadOnlyList<string>? Records { get; init; }

    /// <summary>A record that the plugin documents as making it panic (throw): when set, panic.poisoning feeds it
    /// and requires NP_ERR_PANIC followed by a poisoned instance.</summary>
    public string? PanicRecord { get; init; }

    /// <summary>Threads used by the threading checks.</summary>
    public int Threads { get; init; } = 4;

    /// <summary>The per-check timeout the runner applies; loops that repeat work (10,000 create/destroy) stop early
    /// at a fraction of it so that a slow plugin fails only the time-budget check.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string ConfigFor(string pluginId) => Configs is not null && Configs.TryGetValue(pluginId, out var c) ? c : "";
}
