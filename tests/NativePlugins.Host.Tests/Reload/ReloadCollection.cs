using NativePlugins.Hosting.Reload;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>The reload tests share this process's shadow-copy folder and measure process-wide figures (RSS,
/// descriptors, mappings): they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReloadCollection
{
    public const string Name = "hot reload";

    /// <summary>Shadow copies of this process that exist on disk but are not mapped: a leak (a copy of a refused or
    /// unloaded version that was not deleted).</summary>
    public static string[] UnmappedShadowCopies()
    {
        var maps = File.ReadAllText("/proc/self/maps");
        return Directory.EnumerateFiles(ShadowCopies.ProcessDirectory, "*.so", SearchOption.AllDirectories)
            .Where(p => !maps.Contains(p, StringComparison.Ordinal)).ToArray();
    }
}
