using System.Reflection;

namespace NativePlugins.Conformance.Tests;

/// <summary>Where the native build put the fixtures, and how to start a worker from this test assembly.</summary>
public static class Native
{
    public static string BuildDir { get; } =
        Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR") is { Length: > 0 } env ? env
        : typeof(Native).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
              .FirstOrDefault(a => a.Key == "NplugNativeBuildDir")?.Value
          ?? throw new InvalidOperationException("NplugNativeBuildDir metadata missing");

    public static string RepoRoot { get; } =
        typeof(Native).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "NplugRepoRoot").Value!;

    /// <summary>&lt;build&gt;/fixtures/conformance; a missing folder fails the test that needs it (the native build is a
    /// prerequisite, not an excuse to pass).</summary>
    public static string ConformanceFixtures
    {
        get
        {
            var dir = Path.Combine(BuildDir, "fixtures", "conformance");
            Assert.True(Directory.Exists(dir), $"{dir} does not exist: build the native side first (cmake --build {BuildDir})");
            return dir;
        }
    }

    public static string Fixture(string file)
    {
        var path = Path.Combine(ConformanceFixtures, file);
        Assert.True(File.Exists(path), $"{path} is missing: build the native side first");
        return path;
    }

    /// <summary>A worker is this assembly run by the same dotnet host (see <see cref="Program"/>).</summary>
    public static WorkerLaunch Worker { get; } = new(
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet",
        ["exec", typeof(Program).Assembly.Location, Program.WorkerFlag]);

    /// <summary>native/fixtures/conformance/expected.txt as (library file, failing checks, extra options).</summary>
    public static IReadOnlyList<(string Library, IReadOnlyList<string> Failing)> Expected { get; } =
        File.ReadAllLines(Path.Combine(RepoRoot, "native", "fixtures", "conformance", "expected.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[0], (IReadOnlyList<string>)(f[1] == "-" ? [] : f[1].Split(',').ToList())))
            .ToList();
}
