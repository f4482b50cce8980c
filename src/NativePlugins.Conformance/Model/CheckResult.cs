namespace NativePlugins.Conformance;

/// <summary>The verdict of one check on one library (<see cref="PluginId"/> null) or one plugin.</summary>
/// <param name="Check">The check's stable name.</param>
/// <param name="Rule">The rule it tests (P1..P12).</param>
/// <param name="PluginId">The plugin the check ran on, for transform checks; null for library checks.</param>
/// <param name="Verdict">Pass, fail or skip.</param>
/// <param name="Summary">One line: why it failed or was skipped, or what was verified when it passed.</param>
/// <param name="Details">Further lines: every problem found, the signal of a crash, the plugin's last output.</param>
/// <param name="Duration">Wall time of the check, including a crash or timeout.</param>
/// <param name="InterfaceId">The interface the check ran on, for interface checks; null otherwise.</param>
public sealed record CheckResult(
    string Check,
    string Rule,
    string? PluginId,
    CheckVerdict Verdict,
    string Summary,
    IReadOnlyList<string> Details,
    TimeSpan Duration,
    string? InterfaceId = null);
