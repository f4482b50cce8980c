using NativePlugins.Conformance.Runner;
using NativePlugins.TestSupport;

namespace NativePlugins.Conformance.Tests;

/// <summary>
/// state.save-restore (rule P13, np.state/1) on the stateful fixtures of native/fixtures/src/stateful_reload.c: the
/// correct build passes, the build whose restore takes any bytes fails naming the garbage, and plugins without
/// np.state/1 (or a library of an older minor) skip it.
/// </summary>
public class StateCheckTests
{
    private static CheckResult Check(string fixture)
    {
        var report = ConformanceRunner.Run(new ConformanceOptions
        {
            Libraries = [RepoLayout.Fixture(fixture)],
            CheckPatterns = ["state.*"],
            Worker = Native.Worker,
            Jobs = 1,
        });
        var lib = Assert.Single(report.Libraries);
        Assert.Null(lib.DescribeError);
        return Assert.Single(lib.Results, r => r.Check == "state.save-restore");
    }

    private static string Show(CheckResult r) => $"{r.Verdict}: {r.Summary}\n  {string.Join("\n  ", r.Details)}";

    [Fact]
    public void A_plugin_that_keeps_to_P13_passes()
    {
        var r = Check("reload/libnp_fixture_stateful_v1.so");
        Assert.True(r.Verdict == CheckVerdict.Pass, Show(r));
        Assert.Contains("round trip equal, garbage refused", r.Summary);
        Assert.Contains("reserve call(s) from a 1-byte buffer", r.Summary);
    }

    [Fact]
    public void A_restore_that_accepts_garbage_fails_the_check()
    {
        var r = Check("reload/libnp_fixture_stateful_lax.so");
        Assert.True(r.Verdict == CheckVerdict.Fail, Show(r));
        Assert.Contains("restore accepted", Show(r));
        Assert.Contains("format tag", Show(r));
    }

    [Fact]
    public void A_plugin_without_np_state_skips_the_check()
    {
        var r = Check("reload/libnp_fixture_stateful_nostate.so");
        Assert.True(r.Verdict == CheckVerdict.Skip, Show(r));
        Assert.Contains("offers no np.state/1", r.Summary);
    }
}
