using System.Collections.Frozen;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Interfaces;

/// <summary>
/// The interfaces a host registered (<see cref="PluginHostOptions.Interfaces"/>), by id. Built once per host; the
/// load path asks it only for interface ids other than <c>np.transform/1</c>, and an empty registry answers
/// without hashing, so a host that registers nothing loads exactly as before.
/// </summary>
internal sealed class InterfaceRegistry
{
    public static readonly InterfaceRegistry Empty = new([]);

    private readonly FrozenDictionary<string, RegisteredInterface> _byId;

    /// <exception cref="ArgumentException">Two contracts have the same id, or one is np.transform/1 (which the host
    /// implements itself).</exception>
    public InterfaceRegistry(IReadOnlyList<NativeInterfaceContract> contracts)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        var byId = new Dictionary<string, RegisteredInterface>(contracts.Count, StringComparer.Ordinal);
        for (int i = 0; i < contracts.Count; i++)
        {
            var c = contracts[i] ?? throw new ArgumentException($"PluginHostOptions.Interfaces[{i}] is null", "options");
            if (c.Id == NpAbi.NP_TRANSFORM_ID_STRING)
                throw new ArgumentException(
                    $"PluginHostOptions.Interfaces[{i}] is {c.Id}, which the host implements itself (CreateTransform)", "options");
            if (!byId.TryAdd(c.Id, new RegisteredInterface(c)))
                throw new ArgumentException($"PluginHostOptions.Interfaces lists the interface '{c.Id}' twice", "options");
        }
        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        Count = byId.Count;
    }

    public int Count { get; }

    /// <summary>The registered interface with this id, or null.</summary>
    public RegisteredInterface? Find(string id) => Count == 0 ? null : _byId.GetValueOrDefault(id);
}
