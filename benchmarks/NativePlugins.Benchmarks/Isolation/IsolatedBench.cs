using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Isolation;

/// <summary>The hosts, fixtures and checks the isolation benchmarks share.</summary>
public static class IsolatedBench
{
    /// <summary>The isolation fixture that crashes its worker (SIGSEGV) on the record "segv" and echoes any other.</summary>
    public static string SegvFixture => BenchPaths.InBuild("fixtures/isolation/libnp_fixture_iso_segv.so");

    public const string SegvPlugin = "org.nativeplugins.fixture.iso-segv";

    /// <summary>A host that runs every library in a worker of its own (ProcessPerLibrary), with the built worker
    /// (<paramref name="restricted"/>: IsolationOptions.Restricted, whose workers get no shared buffers).</summary>
    public static PluginHost Host(RestartPolicy? restart = null, bool restricted = false) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        Isolation = PluginIsolation.ProcessPerLibrary,
        IsolationOptions = new IsolationOptions
        {
            WorkerPath = BenchPaths.InBuild("bin/nplug-worker"),
            Restart = restart ?? RestartPolicy.Default,
            Restricted = restricted,
        },
    });

    /// <summary>The one record "x" came back, or the measurement means nothing.</summary>
    public static int Checked(RecordBuffer output)
    {
        if (output.Count != 1 || !output[0].SequenceEqual("x"u8))
            throw new InvalidOperationException($"isolation: expected the record 'x' back, got {output.Count} records");
        return output.Count;
    }
}
