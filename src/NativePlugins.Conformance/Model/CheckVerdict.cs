namespace NativePlugins.Conformance;

/// <summary>The outcome of one check on one library or plugin.</summary>
public enum CheckVerdict
{
    /// <summary>The plugin obeys the rule as far as the check can tell.</summary>
    Pass,
    /// <summary>The plugin breaks the rule (or crashed, or hung, while the check ran).</summary>
    Fail,
    /// <summary>The check does not apply (for example a transform check on a library without np.transform/1), or
    /// could not run because an earlier step failed; the reason says which.</summary>
    Skip,
}
