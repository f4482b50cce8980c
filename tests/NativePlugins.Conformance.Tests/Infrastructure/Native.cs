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
    public static IReadOnlyList<(string Library, IReadOnlyList<string> Failing)> Expected { get; } =
        File.ReadAllLines(RepoLayout.RepoFile(Path.Combine("native", "fixtures", "conformance", "expected.txt")))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[0], (IReadOnlyList<string>)(f[1] == "-" ? [] : f[1].Split(',').ToList())))
            .ToList();
}
