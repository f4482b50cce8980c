namespace NativePlugins.Hosting.Isolation;

/// <summary>Finds the worker executable: <see cref="IsolationOptions.WorkerPath"/>, else <c>NPLUG_WORKER</c>, else
/// <c>nplug-worker</c> next to this assembly (how the CLI and a build output ship it), else in the package's
/// <c>runtimes/linux-x64/native/</c> below it.</summary>
internal static class WorkerLocator
{
    public const string FileName = "nplug-worker";

    public static string Find(IsolationOptions options, string libraryFile)
    {
        if (!OperatingSystem.IsLinux())
            throw Unavailable(libraryFile, "process isolation runs on Linux only (memfd, eventfd, pidfd, PR_SET_PDEATHSIG)");
        var configured = options.WorkerPath ?? Environment.GetEnvironmentVariable(IsolationOptions.WorkerPathEnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw Unavailable(libraryFile, $"the worker {configured} (IsolationOptions.WorkerPath or {IsolationOptions.WorkerPathEnvironmentVariable}) does not exist");
        // Empty in a single-file app, where AppContext.BaseDirectory (the last candidate) is the answer.
#pragma warning disable IL3000
        var here = Path.GetDirectoryName(typeof(WorkerLocator).Assembly.Location);
#pragma warning restore IL3000
        if (string.IsNullOrEmpty(here)) here = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(here, FileName),
            Path.Combine(here, "runtimes", "linux-x64", "native", FileName),
            Path.Combine(AppContext.BaseDirectory, FileName),
        ];
        foreach (var c in candidates)
            if (File.Exists(c)) return Executable(c);
        throw Unavailable(libraryFile,
            $"no {FileName} next to the host ({string.Join(", ", candidates.Distinct())}); set IsolationOptions.WorkerPath or {IsolationOptions.WorkerPathEnvironmentVariable}");
    }

    /// <summary>NuGet unpacks package files without the executable bit: restore it (for the owner) when missing.</summary>
    private static string Executable(string path)
    {
        if (OperatingSystem.IsWindows()) return path;
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to change: posix_spawn reports EACCES, naming the file.
        }
        return path;
    }

    private static PluginLoadException Unavailable(string file, string why) =>
        new(PluginLoadError.WorkerUnavailable, file, null, why);
}
