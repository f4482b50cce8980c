using System.Text.Json;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>The "isolation" list of native/fixtures/fixtures.json, entry by entry: every file is built, and each
/// crash or exit it promises is what a worker reports (signal name or exit code), at load or at its trigger record.</summary>
public class IsolationManifestTests
{
    [Fact]
    public void Every_isolation_fixture_faults_as_the_manifest_says()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.FixtureDir, "fixtures.json")));
        var entries = doc.RootElement.GetProperty("isolation").EnumerateArray().ToList();
        Assert.Equal(Directory.GetFiles(FixtureDir, "*.so").Select(Path.GetFileName).Order(),
            entries.Select(e => e.GetProperty("file").GetString()).Order());
        foreach (var f in entries)
        {
            var fault = f.GetProperty("fault").ValueKind == JsonValueKind.Null ? null : f.GetProperty("fault").GetString();
            if (fault is not ("crash" or "exit")) continue; // hang and memory need options of their own (IsolationFaultTests)
            var file = Path.Combine(FixtureDir, f.GetProperty("file").GetString()!);
            using var host = Isolated();
            PluginCrashedException crash;
            if (f.GetProperty("trigger").ValueKind == JsonValueKind.Null)
            {
                var refused = Assert.Throws<PluginLoadException>(() => host.Load(file));
                Assert.Equal(PluginLoadError.WorkerCrashed, refused.Reason);
                crash = Assert.IsType<PluginCrashedException>(refused.InnerException);
            }
            else
            {
                host.Load(file);
                using var instance = host.CreateTransform(f.GetProperty("plugin").GetString()!);
                crash = Assert.ThrowsAny<PluginCrashedException>(() => Process(instance, f.GetProperty("trigger").GetString()!));
            }
            if (f.TryGetProperty("signal", out var signal)) Assert.Equal(signal.GetString(), crash.SignalName);
            if (f.TryGetProperty("exit_code", out var code)) Assert.Equal(code.GetInt32(), crash.ExitCode);
        }
    }
}
