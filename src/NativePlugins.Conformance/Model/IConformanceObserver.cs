namespace NativePlugins.Conformance;

/// <summary>Progress of a run, for reporters that show it live. Called from the runner's threads: implementations
/// must be thread-safe.</summary>
public interface IConformanceObserver
{
    /// <summary>A library is about to be checked; <paramref name="plannedChecks"/> grows once its plugins are known.</summary>
    void LibraryStarted(string path, int plannedChecks);

    /// <summary>More check runs were planned for the library (one per transform plugin and check).</summary>
    void ChecksPlanned(string path, int additionalChecks);

    /// <summary>A check finished.</summary>
    void CheckFinished(string path, CheckResult result);

    /// <summary>Every check of the library finished.</summary>
    void LibraryFinished(LibraryReport report);
}
