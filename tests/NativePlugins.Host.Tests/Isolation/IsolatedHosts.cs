using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>Hosts that run libraries in worker processes, and the isolation fixtures (native/fixtures, "isolation"
/// in fixtures.json: libraries that crash, exit, hang or leak on purpose).</summary>
internal static class IsolatedHosts
{
    public const string Segv = "org.nativeplugins.fixture.iso-segv";
    public const string Exit = "org.nativeplugins.fixture.iso-exit";
    public const string Spin = "org.nativeplugins.fixture.iso-spin";
    public const string Leak = "org.nativeplugins.fixture.iso-leak";

    public static string Worker => RepoLayout.Existing(Path.Combine(RepoLayout.BinDir, "nplug-worker"));

    public static string FixtureDir => Path.Combine(RepoLayout.FixtureDir, "isolation");

    public static string Fixture(string stem) => RepoLayout.Existing(Path.Combine(FixtureDir, $"libnp_fixture_iso_{stem}.so"));

    /// <summary>Immediate restarts, so that a test never waits for a backoff.</summary>
    public static IsolationOptions Options(RestartPolicy? restart = null) => new()
    {
        WorkerPath = Worker,
        Restart = restart ?? new RestartPolicy { InitialBackoff = TimeSpan.Zero, MaxConsecutiveRestarts = 3 },
    };

    public static PluginHost Isolated(PluginIsolation isolation = PluginIsolation.ProcessPerLibrary, IsolationOptions? options = null,
        Microsoft.Extensions.Logging.ILoggerFactory? logging = null) => new(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Isolation = isolation,
            IsolationOptions = options ?? Options(),
            LoggerFactory = logging,
        });
}
