using NativePlugins.Benchmarks.Isolation;
using Xunit;

namespace NativePlugins.Benchmarks.Tests;

/// <summary>The isolation group's setups work and its benchmarks measure what they say (never their timings): the
/// empty call crosses into a worker (on the host's CPU and moved to another), a fresh host gets its first result
/// from a new worker, and a crashed worker is restarted by the next call.</summary>
public sealed class IsolationBenchTests
{
    [Theory]
    [InlineData(WorkerCpu.SameCpu)]
    [InlineData(WorkerCpu.OwnCpu)]
    public void TheEmptyCallCrossesIntoAWorker(string worker)
    {
        var bench = new IsolationRoundTripBenchmarks { Worker = worker };
        bench.Setup(); // checks that a record crosses and comes back
        try
        {
            Assert.Equal(0, bench.EmptyCall());
            Assert.Equal(0, bench.EmptyCall());
        }
        finally
        {
            bench.Cleanup();
        }
    }

    [Fact]
    public void WorkerStartAndRestartEachEndInTheFirstResult()
    {
        var bench = new IsolationStartBenchmarks();
        bench.Setup();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                bench.FreshHost();
                Assert.Equal(1, bench.WorkerStartToFirstResult());
                bench.EndFreshHost();
                bench.Crash(); // throws unless the fixture really crashed its worker
                Assert.Equal(1, bench.RestartAfterCrash());
                bench.AfterRestart();
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
