using NativePlugins.Interop;

namespace NativePlugins.Conformance.Runner;

/// <summary>
/// A <see cref="NativeInterfaceContract"/> as it travels to a worker process inside the <see cref="WorkerRequest"/>:
/// the contract's constructor inputs (its fingerprints are recomputed from them on the other side, so a worker can
/// never disagree with the runner about what "the contract's fingerprint" is).
/// </summary>
internal sealed record InterfaceContractWire(
    string Id,
    uint NewestMinor,
    IReadOnlyList<NpStructLayout> Structs,
    IReadOnlyList<NativeInterfaceFunction> Functions)
{
    public static InterfaceContractWire From(NativeInterfaceContract c) => new(c.Id, c.NewestMinor, c.Structs, c.Functions);

    public NativeInterfaceContract ToContract() => new(Id, NewestMinor, Structs, Functions);
}
