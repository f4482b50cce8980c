namespace NativePlugins.Conformance.Tests;

/// <summary>The conformance fixtures (found through <see cref="RepoLayout"/>, the one lookup of the build folder), their
/// expected verdicts, and how to start a worker from this test assembly.</summary>
public static class Native
{
    /// <summary>&lt;build&gt;/fixtures/conformance; a missing folder fails the test that needs it (the native build is a
    /// prerequisite, not an excuse to pass).</summary>
    public static string ConformanceFixtures
    {
        get
        {
            var dir = RepoLayout.ConformanceFixtureDir;
            Assert.True(Directory.Exists(dir), $"{dir} does not exist: build the native side first (cmake --build {RepoLayout.BuildDir})");
            return dir;
        }
    }

    /// <summary>A conformance fixture library, which must exist.</summary>
    public static string Fixture(string file) => RepoLayout.Existing(Path.Combine(ConformanceFixtures, file));

    /// <summary>A worker is this assembly run by the same dotnet host (see <see cref="Program"/>).</summary>
    public static WorkerLaunch Worker { get; } = new(
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet",
        ["exec", typeof(Program).Assembly.Location, Program.WorkerFlag]);

    /// <summary>native/fixtures/conformance/expected.txt as (library file, failing checks, extra options).</summary>
    public static IReadOnlyList<(string Library, IReadOnlyList<string> Failing, IReadOnlyList<string> Options)> Expected { get; } =
        File.ReadAllLines(RepoLayout.RepoFile(Path.Combine("native", "fixtures", "conformance", "expected.txt")))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[0], (IReadOnlyList<string>)(f[1] == "-" ? [] : f[1].Split(',').ToList()), (IReadOnlyList<string>)f[2..]))
            .ToList();

    /// <summary>The contracts an expected.txt line's options name (<c>--interface &lt;manifest&gt;</c>, repeatable; the
    /// only option the fixtures use). Any other option is an error, so that a new one cannot be silently ignored.</summary>
    public static IReadOnlyList<NativePlugins.Interop.NativeInterfaceContract> Interfaces(IReadOnlyList<string> options)
    {
        var contracts = new List<NativePlugins.Interop.NativeInterfaceContract>();
        for (var i = 0; i < options.Count; i += 2)
        {
            Assert.True(options[i] == "--interface" && i + 1 < options.Count, $"expected.txt: unsupported options '{string.Join(" ", options)}'");
            contracts.Add(Manifest(options[i + 1]));
        }
        return contracts;
    }

    /// <summary>A contract by its manifest path (relative to the repository root), read as nplug check reads it.</summary>
    private static NativePlugins.Interop.NativeInterfaceContract Manifest(string path) =>
        NativePlugins.Interop.NativeInterfaceContract.FromManifest(RepoLayout.RepoFile(path));
}
