using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>A library that cannot be unloaded (NP_LIBRARY_NO_UNLOAD: a NativeAOT C# plugin, with a .NET runtime
/// inside) reloads by loading the new copy beside the old one; the host reports that the old one stays mapped.</summary>
[Collection(ReloadCollection.Name)]
public class NoUnloadReloadTests
{
    [Fact]
    public void A_NativeAOT_library_is_reloaded_beside_its_old_copy_which_is_reported_as_staying_mapped()
    {
        var dir = Directory.CreateTempSubdirectory("nplug-reload-aot-").FullName;
        try
        {
            var file = Path.Combine(dir, "libnp_cs_regex.so");
            File.Copy(RepoLayout.Plugin("libnp_cs_regex.so"), file);
            using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, HotReload = true });
            var v1 = host.Load(file);
            Assert.False(v1.CanUnload);
            var id = v1.Plugins[0].Id;
            var before = TestHosts.Run(host, id, RegexConfig, "abc", "xyz");
            PluginReloadedEventArgs? reloaded = null;
            host.Reloaded += (_, e) => reloaded = e;

            File.Copy(RepoLayout.Plugin("libnp_cs_regex.so"), file, overwrite: true);
            var v2 = host.Reload(v1);

            Assert.NotNull(reloaded);
            Assert.True(reloaded.PreviousStaysMapped);
            Assert.Contains("stays mapped from " + v1.LoadedFrom, reloaded.Message);
            Assert.Equal(before, TestHosts.Run(host, id, RegexConfig, "abc", "xyz"));
            var maps = File.ReadAllText("/proc/self/maps");
            Assert.Contains(v1.LoadedFrom, maps);
            Assert.Contains(v2.LoadedFrom, maps);
            var retired = Assert.Single(host.RetiredLibraries);
            Assert.True(retired.StaysMapped);
            Assert.True(retired.Deinitialized); // deinit ran; only the mapping stays
            Assert.True(File.Exists(v1.LoadedFrom)); // kept while mapped; swept at the next start after exit
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A hosted C# plugin's shim loads its managed part from <c>&lt;name&gt;.managed/</c> next to itself:
    /// the shadow copy carries that folder, so the copy loads and a new version's assembly is a new path, loaded into
    /// a new (non-collectible) load context beside the old one.</summary>
    [Fact]
    public void A_hosted_csharp_library_is_loaded_from_a_shadow_copy_with_its_managed_folder_and_reloaded_beside_the_old()
    {
        var dir = Directory.CreateTempSubdirectory("nplug-reload-hosted-").FullName;
        try
        {
            var source = NativeArtifacts.HostedPlugin("libnp_cs_regex.so");
            var file = Path.Combine(dir, "libnp_cs_regex.so");
            File.Copy(source, file);
            CopyTree(Path.Combine(Path.GetDirectoryName(source)!, "np_cs_regex.managed"), Path.Combine(dir, "np_cs_regex.managed"));
            using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, HotReload = true });
            var v1 = host.Load(file);
            Assert.EndsWith("(hosted)", v1.Sdk);
            Assert.True(Directory.Exists(Path.Combine(Path.GetDirectoryName(v1.LoadedFrom)!, "np_cs_regex.managed")));
            var id = v1.Plugins[0].Id;
            Assert.Equal(["abc"], TestHosts.Run(host, id, RegexConfig, "abc", "xyz"));

            var v2 = host.Reload(v1);

            Assert.Equal(["abc"], TestHosts.Run(host, id, RegexConfig, "abc", "xyz"));
            Assert.True(Assert.Single(host.RetiredLibraries).StaysMapped);
            Assert.NotEqual(v1.LoadedFrom, v2.LoadedFrom);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.EnumerateDirectories(from)) CopyTree(d, Path.Combine(to, Path.GetFileName(d)));
    }

    private const string RegexConfig = "pattern=b";
}
