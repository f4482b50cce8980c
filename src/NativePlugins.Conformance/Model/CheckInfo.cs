namespace NativePlugins.Conformance;

/// <summary>
/// The static description of a check: its stable name (used by <c>--check</c>, in JSON and JUnit output and in
/// fixtures/conformance/expected.txt), the rule of interop/README.md it tests, and how the runner schedules it.
/// </summary>
/// <param name="Name">Stable dotted name, <c>area.what</c>, e.g. <c>negotiation.newer-minor</c>.</param>
/// <param name="Rule">The rule it tests: <c>P1</c>..<c>P12</c>.</param>
/// <param name="Description">One sentence: what the check does and what it requires.</param>
/// <param name="Scope">Once per library, or once per np.transform/1 plugin.</param>
/// <param name="Group">Checks of one group share a worker process.</param>
/// <param name="Isolation">Whether the check needs a process of its own.</param>
/// <param name="TimeoutScale">Multiplier of the per-check timeout for checks that do a lot of work by design.</param>
/// <param name="Attempts">How many times a failing check is run (each time in a fresh worker) before the failure
/// stands; more than 1 only for time-budget checks, which a noisy machine can push over a budget once.</param>
public sealed record CheckInfo(
    string Name,
    string Rule,
    string Description,
    CheckScope Scope,
    string Group,
    CheckIsolation Isolation = CheckIsolation.Group,
    double TimeoutScale = 1.0,
    int Attempts = 1);
