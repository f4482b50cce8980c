namespace NativePlugins.Hosting;

/// <summary>A library was replaced by its new version (<see cref="PluginHost.Reloaded"/>).</summary>
public sealed class PluginReloadedEventArgs(PluginLibrary previous, PluginLibrary current) : EventArgs
{
    /// <summary>The watched file.</summary>
    public string FilePath => Current.FilePath;

    /// <summary>The old version: disposed, draining; it unloads after its last instance unless
    /// <see cref="PreviousStaysMapped"/>.</summary>
    public PluginLibrary Previous { get; } = previous;

    /// <summary>The new version, which new instances now come from.</summary>
    public PluginLibrary Current { get; } = current;

    /// <summary>True when the old version can never be unloaded (<c>NP_LIBRARY_NO_UNLOAD</c>: NativeAOT or hosted
    /// C#): its code and data stay mapped beside the new version until the process exits.</summary>
    public bool PreviousStaysMapped => !Previous.CanUnload;

    /// <summary>One line: <c>reloaded &lt;file&gt;: &lt;id&gt; 1.0.0 -&gt; 2.0.0</c>, plus what stays mapped.</summary>
    public string Message
    {
        get
        {
            var versions = string.Join(", ", Current.Plugins.Select(p =>
                Previous.Plugins.FirstOrDefault(o => o.Id == p.Id) is { } o ? $"{p.Id} {o.Version} -> {p.Version}" : $"{p.Id} {p.Version} (new)"));
            return $"reloaded {FilePath}: {versions}" +
                (PreviousStaysMapped ? $"; the old version cannot be unloaded and stays mapped from {Previous.LoadedFrom}" : "");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>A new version was refused or its <c>init</c> failed (<see cref="PluginHost.ReloadFailed"/>); the
/// loaded version keeps running.</summary>
public sealed class PluginReloadFailedEventArgs(PluginLibrary current, PluginLoadException error) : EventArgs
{
    /// <summary>The watched file.</summary>
    public string FilePath => Current.FilePath;

    /// <summary>The version that keeps running.</summary>
    public PluginLibrary Current { get; } = current;

    /// <summary>Why the new version was refused (<see cref="PluginLoadException.Reason"/>).</summary>
    public PluginLoadException Error { get; } = error;

    /// <summary>One line: <c>reload failed, version 1.0.0 keeps running: &lt;the load error&gt;</c>.</summary>
    public string Message =>
        $"reload failed, {string.Join(", ", Current.Plugins.Select(p => $"{p.Id} {p.Version}"))} keeps running: {Error.Message}";

    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>An old version replaced by a reload that is still mapped (<see cref="PluginHost.RetiredLibraries"/>).</summary>
/// <param name="FilePath">The watched file.</param>
/// <param name="LoadedFrom">The shadow copy it is mapped from.</param>
/// <param name="Plugins">Its plugins (their versions are the old ones).</param>
/// <param name="StaysMapped">True when it can never be unloaded (<c>NP_LIBRARY_NO_UNLOAD</c>).</param>
/// <param name="Deinitialized">True once its last instance is gone and <c>deinit</c> ran.</param>
public sealed record RetiredLibrary(string FilePath, string LoadedFrom,
    System.Collections.Immutable.ImmutableArray<PluginInfo> Plugins, bool StaysMapped, bool Deinitialized);
