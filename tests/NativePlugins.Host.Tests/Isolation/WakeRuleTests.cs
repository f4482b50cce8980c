using System.Diagnostics;
using NativePlugins.Hosting.Isolation;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>The wake-up rule (npw_protocol.h, "Wake-ups") is written twice, in the worker (npw_wake.c) and in the
/// host (AdaptiveSpin.cs); these vectors are its one statement, and both copies must give each answer
/// (<c>nplug-worker --wake-rule</c> prints the worker's).</summary>
public class WakeRuleTests
{
    // expect, max, my cpu, other cpu (number + 1, 0 unknown) -> budget; average, took -> new average
    public static TheoryData<long, long, uint, uint, long, long, long, long> Vectors => new()
    {
        { 10_000, 200_000, 1, 2, 0, 7_000, 45_000, 7_000 },          // other CPU: twice the average plus the slack
        { 150_000, 200_000, 1, 2, 8_000, 16_000, 200_000, 10_000 },  // capped at the limit
        { 250_000, 200_000, 1, 2, 8_000, 0, 0, 6_000 },              // expected past the limit: block at once
        { 10_000, 200_000, 2, 2, 100, 500, 45_000, 200 },            // on the other's CPU the same budget (spent yielding)
        { 10_000, 200_000, 0, 0, 0, 0, 45_000, 0 },                  // CPUs unknown: spin as on another one
        { 0, 200_000, 1, 2, 0, 0, 25_000, 0 },                       // nothing learnt yet: the slack only
        { 10_000, 0, 1, 2, 4, 8, 0, 5 },                             // MaxSpin zero: never spin
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Host_and_worker_apply_the_same_rule(long expect, long max, uint mine, uint other, long average, long took,
        long budget, long newAverage)
    {
        Assert.Equal(budget, AdaptiveSpin.Budget(expect, max, mine, other));
        Assert.Equal(newAverage, AdaptiveSpin.Average(average, took));
        var start = new ProcessStartInfo(IsolatedHosts.Worker) { RedirectStandardOutput = true };
        foreach (var a in new object[] { "--wake-rule", expect, max, mine, other, average, took }) start.ArgumentList.Add(a.ToString()!);
        using var p = Process.Start(start)!;
        var line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal($"{budget} {newAverage}", line);
    }
}
