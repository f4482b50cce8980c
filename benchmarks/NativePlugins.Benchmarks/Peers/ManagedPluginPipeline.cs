using McMaster.NETCore.Plugins;
using NativePlugins.Benchmarks.PeerContract;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// The managed-plugin peer, the DotNetCorePlugins way: the plugin assembly (benchmarks/peers/managed-plugin) is loaded
/// with McMaster.NETCore.Plugins into a collectible AssemblyLoadContext of its own
/// (<c>PluginLoader.CreateFromAssemblyFile(path, isUnloadable: true, sharedTypes: ...)</c>), sharing only the contract
/// types with the host; the host finds the plugin's <see cref="IRecordTransformPlugin"/> by reflection, creates the
/// three stages and calls each once per batch through the contract interface. Records stay in managed memory
/// (<see cref="ManagedRecords"/>, shared with the plain C# pipeline), handed from stage to stage without a copy.
/// Dispose unloads the context. Not thread-safe (one caller at a time).
/// </summary>
public sealed class ManagedPluginPipeline : IDisposable
{
    private readonly PluginLoader _loader;
    private readonly IRecordTransformPlugin _plugin;
    private IRecordTransform[] _stages = [];

    /// <summary>Loads the plugin assembly into its own collectible context and creates its entry type (the load).</summary>
    public ManagedPluginPipeline(string assemblyPath)
    {
        _loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, isUnloadable: true,
            sharedTypes: [typeof(IRecordTransformPlugin), typeof(IRecordTransform), typeof(ManagedRecords)]);
        var assembly = _loader.LoadDefaultAssembly();
        var entry = assembly.GetTypes().Where(t => typeof(IRecordTransformPlugin).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        if (entry.Count != 1)
            throw new InvalidOperationException($"{assemblyPath}: expected one public {nameof(IRecordTransformPlugin)} class, found {entry.Count}");
        _plugin = (IRecordTransformPlugin)Activator.CreateInstance(entry[0])!;
    }

    /// <summary>True when the plugin's types really live in their own load context (not the host's).</summary>
    public bool IsIsolated => _plugin.GetType().Assembly != typeof(ManagedPluginPipeline).Assembly &&
        System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(_plugin.GetType().Assembly) is { IsCollectible: true };

    /// <summary>Creates the stages, in order (plugin id and config, as np.transform/1 create).</summary>
    public void Create(IReadOnlyList<(string PluginId, string Config)> stages)
    {
        if (_stages.Length != 0) throw new InvalidOperationException("the managed plugin pipeline's stages are already created");
        _stages = stages.Select(s => _plugin.Create(s.PluginId, s.Config)).ToArray();
    }

    /// <summary>One batch through every stage; the result belongs to the last stage, valid until the next call.</summary>
    public ManagedRecords Process(ManagedRecords input)
    {
        var records = input;
        foreach (var stage in _stages) records = stage.Process(records);
        return records;
    }

    public void Dispose()
    {
        _stages = [];
        _loader.Dispose();
    }
}
