using NativePlugins.Hosting;
using NativePlugins.Hosting.Reload;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>Hot reload of a library that runs in worker processes: the new version runs in new workers of the same
/// mode (never in the host), every worker maps a shadow copy so that rewriting the watched file in place cannot
/// change the code under a running one, old instances drain in their workers, a refused version is rolled back, and
/// the watcher polls isolated libraries like the others.</summary>
[Collection(ReloadCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class IsolatedReloadTests
{
    [Theory]
    [InlineData(PluginIsolation.ProcessPerLibrary)]
    [InlineData(PluginIsolation.ProcessPerInstance)]
    public void An_isolated_library_reloads_into_workers_of_the_same_mode_from_shadow_copies(PluginIsolation mode)
    {
        using var f = new ReloadFixture("v1", mode);
        Assert.Equal(mode, f.Library.Isolation);
        var oldCopy = f.Library.LoadedFrom;
        Assert.True(ShadowCopies.IsShadowCopy(oldCopy), oldCopy);
        using var old = f.Host.CreateTransform(ReloadFixture.PluginId);
        Assert.Equal(["v1:x"], TestHosts.Run(old, "x"));
        Assert.Contains(oldCopy, File.ReadAllText($"/proc/{old.WorkerProcessId}/maps"));

        f.Install("v2"); // in place, as cp writes: the running worker maps its copy, so v1 keeps running
        Assert.Equal(["v1:y"], TestHosts.Run(old, "y"));
        var v2 = f.Host.Reload(f.Library);

        Assert.Equal(mode, v2.Isolation);
        Assert.Equal("2.0.0", v2.Plugins[0].Version);
        Assert.NotEqual(oldCopy, v2.LoadedFrom);
        Assert.True(ShadowCopies.IsShadowCopy(v2.LoadedFrom));
        using (var fresh = f.Host.CreateTransform(ReloadFixture.PluginId))
        {
            Assert.Equal(mode, fresh.Isolation);
            Assert.NotEqual(Environment.ProcessId, fresh.WorkerProcessId);
            Assert.Equal(["v2:a"], TestHosts.Run(fresh, "a"));
        }
        Assert.DoesNotContain(v2.LoadedFrom, File.ReadAllText("/proc/self/maps")); // never mapped by the host

        // The old instance drains on v1 in its worker; its end releases v1 and deletes v1's copy.
        Assert.Equal(["v1:z"], TestHosts.Run(old, "z"));
        var retired = Assert.Single(f.Host.RetiredLibraries);
        Assert.Equal(oldCopy, retired.LoadedFrom);
        old.Dispose();
        Assert.Empty(f.Host.RetiredLibraries);
        Assert.False(File.Exists(oldCopy));

        // A version whose init fails in the worker is refused with its reason; v2 keeps running, isolated.
        f.Install("init_fails");
        var e = Assert.Throws<PluginLoadException>(() => f.Host.Reload(v2));
        Assert.Equal(PluginLoadError.InitFailed, e.Reason);
        Assert.StartsWith(f.FilePath + ": ", e.Message);
        Assert.Same(v2, f.Host.GetLibrary(ReloadFixture.PluginId));
        Assert.Equal(["v2:b"], f.Run("b"));
    }

    [Fact]
    public void The_watcher_reloads_an_isolated_library_and_keeps_polling_the_others()
    {
        using var f = new ReloadFixture("v1", PluginIsolation.ProcessPerLibrary);
        using var reloaded = new SemaphoreSlim(0);
        PluginReloadedEventArgs? seen = null;
        f.Host.Reloaded += (_, e) => { seen = e; reloaded.Release(); };
        using (f.Host.Watch(TimeSpan.FromMilliseconds(100)))
        {
            f.Install("v2");
            Assert.True(reloaded.Wait(TimeSpan.FromSeconds(20)), "no Reloaded after the isolated library's file changed");
        }
        Assert.NotNull(seen);
        Assert.Equal(PluginIsolation.ProcessPerLibrary, seen.Current.Isolation);
        Assert.Equal(["v2:a"], f.Run("a"));
    }
}
