using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Interfaces;

/// <summary>
/// A <see cref="NativeInterfaceContract"/> in the form the load path reads it, computed once when the host is
/// created: the vtable's field ends and minors as plain arrays (<see cref="StructFacts"/>), and the required
/// functions with the offsets they are read at.
/// </summary>
internal sealed class RegisteredInterface
{
    public RegisteredInterface(NativeInterfaceContract contract)
    {
        Contract = contract;
        VTable = new StructFacts(contract.VTable);
        Required = contract.Functions.Where(f => f.Required).ToArray();
        QualifiedNames = contract.Functions.ToDictionary(f => f.Name, f => $"{contract.VTable.Name}.{f.Name}", StringComparer.Ordinal);
    }

    public NativeInterfaceContract Contract { get; }

    /// <summary>The vtable's layout facts: minimum size and readable bytes per struct_size and minor (rule H2).</summary>
    public StructFacts VTable { get; }

    /// <summary>The "Never NULL" functions (rule I4), in declaration order.</summary>
    public NativeInterfaceFunction[] Required { get; }

    /// <summary><c>vtable.function</c> per function name, for messages.</summary>
    public IReadOnlyDictionary<string, string> QualifiedNames { get; }

    public string Id => Contract.Id;
}
