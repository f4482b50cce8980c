namespace NativePlugins.Conformance;

/// <summary>What one run of a check covers.</summary>
public enum CheckScope
{
    /// <summary>The library as a whole: np_entry, negotiation, descriptors, init/deinit.</summary>
    Library,
    /// <summary>One plugin of the library that implements np.transform/1; the check runs once per such plugin.</summary>
    Transform,
    /// <summary>One interface of one plugin that a <see cref="Interop.NativeInterfaceContract"/> given to the run
    /// describes (<see cref="ConformanceOptions.Interfaces"/>, <c>nplug check --interface</c>); the check runs once
    /// per such plugin and interface.</summary>
    Interface,
}
