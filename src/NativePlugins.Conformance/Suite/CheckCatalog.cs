using NativePlugins.Conformance.Suite.Checks;

namespace NativePlugins.Conformance.Suite;

/// <summary>Every check, in the order they are reported (by rule, then by area).</summary>
internal static class CheckCatalog
{
    public static IReadOnlyList<Check> All { get; } =
    [
        .. EntryChecks.All.Where(c => c.Info.Rule == "P1"),
        .. NegotiationChecks.All,
        .. DescriptorChecks.All,
        .. EntryChecks.All.Where(c => c.Info.Rule == "P3"),
        .. MemoryChecks.All,
        .. ErrorChecks.All,
        .. InputChecks.All,
        .. PanicChecks.All,
        .. LifecycleChecks.All,
        .. ThreadingChecks.All,
        .. EmitterChecks.All,
        .. LeafChecks.All,
        .. TimingChecks.All,
        .. StateChecks.All,
        .. InterfaceChecks.All,
    ];

    private static readonly Dictionary<string, Check> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static Check Get(string name) =>
        ByName.TryGetValue(name, out var c) ? c : throw new ArgumentException($"no check named '{name}'", nameof(name));
}

