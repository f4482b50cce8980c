using CommandLine;

namespace NativePlugins.Cli.Options;

/// <summary>Options every verb that loads plugins shares.</summary>
public abstract class CommonOptions
{
    [Option("plugin-dir", HelpText = "A directory to load plugins from (repeatable). Searched before NPLUG_PLUGIN_PATH " +
        "and the plugins/ folder next to nplug.")]
    public IEnumerable<string> PluginDirs { get; set; } = [];

    [Option("no-default-path", HelpText = "Do not search NPLUG_PLUGIN_PATH and the plugins/ folder next to nplug.")]
    public bool NoDefaultPath { get; set; }

    [Option("recursive", HelpText = "Also search subdirectories.")]
    public bool Recursive { get; set; }

    [Option("follow-symlinks", HelpText = "Load plugin files that are symbolic links (skipped by default).")]
    public bool FollowSymlinks { get; set; }

    [Option("trust-file", HelpText = "Load only libraries whose SHA-256 this file lists (sha256sum format: " +
        "'<sha256>  <file name or path>'); any other is refused as NotTrusted.")]
    public string? TrustFile { get; set; }

    [Option("log-level", Default = "warn", HelpText = "Plugin log lines shown on stderr: trace, debug, info, warn, error, none.")]
    public string LogLevel { get; set; } = "warn";
}
