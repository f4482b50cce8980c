namespace NativePlugins.Conformance;

/// <summary>How much of a fresh process a check needs when the suite runs out of process.</summary>
public enum CheckIsolation
{
    /// <summary>Runs in a worker process together with the other checks of its group.</summary>
    Group,
    /// <summary>Runs in a fresh worker process of its own (shared only with checks of the same group, and per plugin):
    /// it measures something process-wide (cold load time, resident memory) or needs the library not yet initialised.</summary>
    OwnProcess,
}
