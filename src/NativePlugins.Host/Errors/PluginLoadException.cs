using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A library (or one plugin in it) was refused. Carries the typed reason, the file, the plugin id when it is known,
/// and a one-line message (always one line: see <see cref="NativeText.OneLine(string)"/>) of the form <c>file: plugin 'id': Reason: detail</c>. Loading never crashes and never
/// affects other loaded libraries (rule H3).
/// </summary>
public sealed class PluginLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginLoadException(PluginLoadError reason, string filePath, string? pluginId, string detail,
        Exception? inner = null)
        : base(Format(reason, filePath, pluginId, detail), inner)
    {
        Reason = reason;
        FilePath = filePath;
        PluginId = pluginId;
        Detail = detail;
    }

    /// <summary>Which check failed.</summary>
    public PluginLoadError Reason { get; }

    /// <summary>The library file (full path) or directory the error is about.</summary>
    public string FilePath { get; }

    /// <summary>The plugin id the error is about, when it is known (an invalid id is shown escaped).</summary>
    public string? PluginId { get; }

    /// <summary>The explanation without file and plugin.</summary>
    public string Detail { get; }

    // One line, whatever a library or the file system put into the parts (a file name or an id with a newline or a
    // terminal escape): NativeText.OneLine, interop/README.md section 5. Idempotent, so parts shown already stay as
    // they are.
    private static string Format(PluginLoadError reason, string file, string? id, string detail)
    {
        file = NativeText.OneLine(file);
        detail = NativeText.OneLine(detail);
        return id is null ? $"{file}: {reason}: {detail}" : $"{file}: plugin '{NativeText.OneLine(id)}': {reason}: {detail}";
    }
}
