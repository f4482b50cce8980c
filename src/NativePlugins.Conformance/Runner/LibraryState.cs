using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Runner;

/// <summary>The library under test as one process sees it: opened on first use (and only then, so that checks that
/// need a cold process get one), with its transform plugins by index and the interfaces the run's contracts describe.</summary>
internal sealed class LibraryState(string path, SuiteSettings settings, IReadOnlyList<NativeInterfaceContract> interfaces) : IDisposable
{
    private LibraryUnderTest? _library;
    private LibraryUnusableException? _unusable;

    public string Path { get; } = path;
    public SuiteSettings Settings { get; } = settings;

    public LibraryUnderTest Library
    {
        get
        {
            if (_unusable is not null) throw _unusable;
            try
            {
                return _library ??= LibraryUnderTest.Open(Path);
            }
            catch (LibraryUnusableException e)
            {
                _unusable = e;
                throw;
            }
        }
    }

    /// <summary>The transform plugin at <paramref name="index"/>, or a reason why there is none.</summary>
    public PluginUnderTest? Plugin(int index, out string? reason)
    {
        reason = null;
        var snapshot = Library.Snapshot;
        var plugin = snapshot.Plugins.FirstOrDefault(p => p.Index == index);
        if (plugin is null) { reason = $"plugins[{index}] could not be read"; return null; }
        if (plugin.Find(NpAbi.NP_TRANSFORM_ID_STRING) is not { } iface || iface.Vtable == 0)
        {
            reason = $"{plugin.DisplayId} does not implement {NpAbi.NP_TRANSFORM_ID_STRING}";
            return null;
        }
        var api = new TransformApi(iface.Vtable);
        if (!api.IsComplete)
        {
            reason = $"{plugin.DisplayId}: the np.transform/1 vtable is incomplete (see descriptor.interfaces)";
            return null;
        }
        return new PluginUnderTest(Library, plugin, api, Settings.ConfigFor(plugin.DisplayId));
    }

    /// <summary>The interface <paramref name="interfaceId"/> of the plugin at <paramref name="index"/>, with the
    /// run's contract for it, or a reason why it cannot be checked.</summary>
    public InterfaceUnderTest? Interface(int index, string interfaceId, out string? reason)
    {
        reason = null;
        var contract = interfaces.FirstOrDefault(c => c.Id == interfaceId);
        if (contract is null) { reason = $"{interfaceId} is not checked: pass --interface <manifest>"; return null; }
        var plugin = Library.Snapshot.Plugins.FirstOrDefault(p => p.Index == index);
        if (plugin is null) { reason = $"plugins[{index}] could not be read"; return null; }
        if (plugin.Find(interfaceId) is not { } entry) { reason = $"{plugin.DisplayId} does not list {interfaceId}"; return null; }
        if (entry.Vtable == 0) { reason = $"{plugin.DisplayId}: the {interfaceId} vtable is NULL (see descriptor.interfaces)"; return null; }
        return new InterfaceUnderTest(Library, plugin, entry, contract, Settings.ConfigFor(plugin.DisplayId));
    }

    /// <summary>Opens and enters the library and lists its plugins; never throws for a bad library.</summary>
    public LibraryDescription Describe()
    {
        try
        {
            var snapshot = Library.Snapshot;
            var plugins = snapshot.Plugins.Select(p => new PluginSummary(
                p.Index, p.DisplayId, p.ThreadingName,
                p.Interfaces.Select(i => i.DisplayId).ToList())).ToList();
            return new LibraryDescription(snapshot.Sdk is null ? null : NativeText.Show(snapshot.Sdk, 200), plugins, null);
        }
        catch (LibraryUnusableException e)
        {
            return new LibraryDescription(null, [], e.Message);
        }
        catch (Exception e)
        {
            return new LibraryDescription(null, [], $"reading the descriptors failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>deinit when this process initialised the library (every instance is destroyed by then).</summary>
    public void Dispose() => _library?.Dispose();
}
