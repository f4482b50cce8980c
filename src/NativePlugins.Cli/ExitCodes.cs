namespace NativePlugins.Cli;

/// <summary>The exit codes of nplug (documented in --help and the README).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A plugin library failed to load, a requested plugin was not found, or a plugin call failed.</summary>
    public const int PluginError = 1;

    /// <summary>Bad command line (unknown verb or option, missing argument, malformed pipeline definition).</summary>
    public const int Usage = 2;

    /// <summary>An input or output file could not be read or written.</summary>
    public const int IoError = 3;

    /// <summary>An unexpected internal error (a bug in nplug).</summary>
    public const int Internal = 4;

    /// <summary>The text shown at the end of --help.</summary>
    public const string HelpText =
        "Exit codes: 0 ok, 1 plugin error (load, not found, call failed), 2 usage, 3 I/O error, 4 internal error.";
}
