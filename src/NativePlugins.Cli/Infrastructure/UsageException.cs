namespace NativePlugins.Cli.Infrastructure;

/// <summary>The command line (or a pipeline definition) is wrong: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
