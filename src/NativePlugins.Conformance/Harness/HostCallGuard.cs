using System.Collections.Concurrent;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// Marks a stretch of a thread during which the plugin must not call the host: np_entry (rule P3) and [leaf]
/// functions (rule P11). Every host table callback asks <see cref="Record"/> first; a call that arrives on a marked
/// thread is remembered with the name of the section. Per thread, because a plugin's own background threads may call
/// the host legitimately at the same time.
/// </summary>
internal static class HostCallGuard
{
    [ThreadStatic] private static string? s_section;
    private static readonly ConcurrentQueue<string> s_violations = new();

    /// <summary>Enters a section named <paramref name="section"/> (e.g. "np_entry") on this thread.</summary>
    public static Scope Enter(string section)
    {
        var previous = s_section;
        s_section = section;
        return new Scope(previous);
    }

    /// <summary>Called by every host callback with its name ("log", "alloc", ...).</summary>
    public static void Record(string callback)
    {
        if (s_section is { } section) s_violations.Enqueue($"host.{callback} was called from {section}");
    }

    /// <summary>Removes and returns what was recorded so far.</summary>
    public static List<string> Drain()
    {
        var list = new List<string>();
        while (s_violations.TryDequeue(out var v)) list.Add(v);
        return list;
    }

    public readonly struct Scope(string? previous) : IDisposable
    {
        public void Dispose() => s_section = previous;
    }
}
