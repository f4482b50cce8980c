using NativePlugins.Hosting;
using NativePlugins.Hosting.Reload;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>Hot reload of a C library rebuilt to a new version: shadow copies, validation like a first load,
/// draining of old instances, events, rollback of a refused version, the watcher's debounce.</summary>
[Collection(ReloadCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HotReloadTests
{
    [Fact]
    public void A_library_is_mapped_from_a_private_shadow_copy_named_like_the_file()
    {
        using var f = new ReloadFixture();
        Assert.Equal(f.FilePath, f.Library.FilePath);
        Assert.NotEqual(f.FilePath, f.Library.LoadedFrom);
        Assert.True(ShadowCopies.IsShadowCopy(f.Library.LoadedFrom));
        Assert.Equal(Path.GetFileName(f.FilePath), Path.GetFileName(f.Library.LoadedFrom));
        Assert.Contains(f.Library.LoadedFrom, File.ReadAllText("/proc/self/maps"));
        Assert.Equal(f.FilePath, f.Library.Plugins[0].FilePath); // messages name the user's file
    }

    /// <summary>Why a copy: the dynamic loader hands back the object it already has for another path to the same
    /// inode (a hard link), and for the same path after the file was rewritten; only a new file is a new object.</summary>
    [Fact]
    public void The_dynamic_loader_keys_loaded_objects_by_inode_so_only_a_copy_is_a_new_object()
    {
        var dir = Directory.CreateTempSubdirectory("nplug-dl-keys-").FullName;
        try
        {
            var original = Path.Combine(dir, "liba.so");
            File.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so"), original);
            var link = Path.Combine(dir, "libb.so");
            File.CreateSymbolicLink(Path.Combine(dir, "libc.so"), original);
            Assert.Equal(0, Link(original, link));
            var copy = Path.Combine(dir, "libd.so");
            File.Copy(original, copy);
            nint a = System.Runtime.InteropServices.NativeLibrary.Load(original);
            nint b = System.Runtime.InteropServices.NativeLibrary.Load(link);
            nint c = System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(dir, "libc.so"));
            nint d = System.Runtime.InteropServices.NativeLibrary.Load(copy);
            Assert.Equal(a, b); // hard link: same dev/inode, same object
            Assert.Equal(a, c); // symlink: same file
            Assert.NotEqual(a, d); // a copy: a new object
            foreach (var h in new[] { a, b, c, d }) System.Runtime.InteropServices.NativeLibrary.Free(h);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string created);

    [Fact]
    public void A_rebuilt_library_is_reloaded_new_instances_come_from_the_new_version_and_old_ones_drain()
    {
        using var f = new ReloadFixture();
        var reloaded = new List<PluginReloadedEventArgs>();
        f.Host.Reloaded += (_, e) => reloaded.Add(e);
        var old = f.Host.CreateTransform(ReloadFixture.PluginId);
        var oldCopy = f.Library.LoadedFrom;

        f.Install("v2"); // in place: the running v1 is mapped from its copy, so this cannot corrupt it
        var v2 = f.Host.Reload(f.Library);

        Assert.Equal("2.0.0", v2.Plugins[0].Version);
        Assert.Same(v2, f.Host.GetLibrary(ReloadFixture.PluginId));
        Assert.Equal(["v2:a", "v2:b"], f.Run("a", "b"));
        Assert.NotEqual(oldCopy, v2.LoadedFrom);
        var e = Assert.Single(reloaded);
        Assert.Same(f.Library, e.Previous);
        Assert.Same(v2, e.Current);
        Assert.False(e.PreviousStaysMapped);
        Assert.Equal($"reloaded {f.FilePath}: {ReloadFixture.PluginId} 1.0.0 -> 2.0.0", e.Message);
        Assert.Throws<ObjectDisposedException>(() => f.Library.CreateTransform(ReloadFixture.PluginId));

        // The old instance keeps running on v1 until it is disposed: it drains.
        Assert.Equal(["v1:x", "v1:y"], TestHosts.Run(old, "x", "y"));
        var retired = Assert.Single(f.Host.RetiredLibraries);
        Assert.Equal(oldCopy, retired.LoadedFrom);
        Assert.False(retired.Deinitialized);
        Assert.True(File.Exists(oldCopy));

        old.Dispose(); // its last instance: v1 deinitializes, unloads, and its shadow copy goes
        Assert.Empty(f.Host.RetiredLibraries);
        Assert.False(File.Exists(oldCopy));
        Assert.DoesNotContain(oldCopy, File.ReadAllText("/proc/self/maps"));
    }

    [Fact]
    public void A_new_version_whose_init_fails_is_rolled_back_and_the_old_one_keeps_running()
    {
        using var f = new ReloadFixture();
        var failed = new List<PluginReloadFailedEventArgs>();
        f.Host.ReloadFailed += (_, e) => failed.Add(e);
        f.Install("init_fails");

        var error = Assert.Throws<PluginLoadException>(() => f.Host.Reload(f.Library));

        Assert.Equal(PluginLoadError.InitFailed, error.Reason);
        Assert.Equal(f.FilePath, error.FilePath);
        Assert.Contains("init fails on purpose", error.Message);
        var e = Assert.Single(failed);
        Assert.Same(error, e.Error);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"reload failed, {ReloadFixture.PluginId} 1.0.0 keeps running: {f.FilePath}", e.Message);
        Assert.Same(f.Library, f.Host.GetLibrary(ReloadFixture.PluginId));
        Assert.Equal(["v1:a"], f.Run("a"));
        Assert.Empty(f.Host.RetiredLibraries);
        // The refused copy was unloaded and deleted.
        Assert.Empty(ReloadCollection.UnmappedShadowCopies());
    }

    [Fact]
    public void A_truncated_new_version_is_refused_by_the_same_checks_as_a_first_load()
    {
        using var f = new ReloadFixture();
        var bytes = File.ReadAllBytes(RepoLayout.Fixture("reload/libnp_fixture_reload_v2.so"));
        File.WriteAllBytes(f.FilePath, bytes[..3000]); // a build caught half-way

        var error = Assert.Throws<PluginLoadException>(() => f.Host.Reload(f.Library));

        Assert.Equal(PluginLoadError.MalformedLibrary, error.Reason);
        Assert.Equal(f.FilePath, error.FilePath);
        Assert.Equal(["v1:a"], f.Run("a"));
    }

    [Fact]
    public void The_load_policy_applies_to_the_watched_file()
    {
        using var f = new ReloadFixture();
        f.Install("v2");
        File.SetUnixFileMode(f.FilePath, File.GetUnixFileMode(f.FilePath) | UnixFileMode.OtherWrite);

        var error = Assert.Throws<PluginLoadException>(() => f.Host.Reload(f.Library));

        Assert.Equal(PluginLoadError.InsecurePermissions, error.Reason);
        Assert.Equal(["v1:a"], f.Run("a"));
    }

    [Fact]
    public void The_watcher_reloads_a_changed_file_once_it_settles_and_reports_a_refused_one_once()
    {
        using var f = new ReloadFixture();
        using var reloaded = new SemaphoreSlim(0);
        using var failed = new SemaphoreSlim(0);
        var failures = 0;
        f.Host.Reloaded += (_, _) => reloaded.Release();
        f.Host.ReloadFailed += (_, _) => { Interlocked.Increment(ref failures); failed.Release(); };
        using (f.Host.Watch(TimeSpan.FromMilliseconds(100)))
        {
            f.Install("init_fails");
            Assert.True(failed.Wait(TimeSpan.FromSeconds(20)), "no ReloadFailed for a version whose init fails");
            Thread.Sleep(500); // several polls: the same bad file is not retried
            Assert.Equal(1, Volatile.Read(ref failures));
            Assert.Equal(["v1:a"], f.Run("a"));

            f.Install("v2");
            Assert.True(reloaded.Wait(TimeSpan.FromSeconds(20)), "no Reloaded after the file changed");
            Assert.Equal(["v2:a"], f.Run("a"));
        }
        Assert.Equal(1, Volatile.Read(ref failures));
    }

    [Fact]
    public void Watch_and_Reload_need_HotReload()
    {
        using var host = TestHosts.Create();
        var lib = host.Load(RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so"));
        Assert.Equal(lib.FilePath, lib.LoadedFrom);
        Assert.Contains("HotReload", Assert.Throws<InvalidOperationException>(() => host.Watch()).Message);
        Assert.Throws<InvalidOperationException>(() => host.Reload(lib));
    }

    [Fact]
    public void Shadow_folders_of_processes_that_are_gone_are_swept_and_live_ones_are_kept()
    {
        _ = ShadowCopies.ProcessDirectory; // this process's folder exists and is locked
        var root = ShadowCopies.Root;
        var stale = Path.Combine(root, "999999-stale-test");
        Directory.CreateDirectory(Path.Combine(stale, "1"));
        File.WriteAllText(Path.Combine(stale, "owner.lock"), "");
        File.WriteAllText(Path.Combine(stale, "1", "libx.so"), "x");
        var live = Path.Combine(root, "999998-live-test");
        Directory.CreateDirectory(live);
        using (new FileStream(Path.Combine(live, "owner.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            // Another process would hold this lock; a second open file description in this one conflicts the same.
            ShadowCopies.SweepStale(root);
            Assert.False(Directory.Exists(stale));
            Assert.True(Directory.Exists(live));
            Assert.True(Directory.Exists(ShadowCopies.ProcessDirectory));
        }
        Directory.Delete(live, recursive: true);
    }
}
