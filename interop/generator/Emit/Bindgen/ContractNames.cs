// Names bindgen derives for a contract's outputs, shared by every emitter so that the C macros, the C# classes and
// the Rust items of one interface always agree (interop/interfaces.md, section 2).
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class ContractNames
{
    /// <summary>The vtable typedef without <c>_t</c>: <c>acme_greeter_v1</c>.</summary>
    public static string VTableBase(InterfaceModel i) =>
        i.VTable.Name.EndsWith("_t", StringComparison.Ordinal) ? i.VTable.Name[..^2] : i.VTable.Name;

    /// <summary>The C macro prefix of an interface: <c>ACME_GREETER_V1</c>.</summary>
    public static string Macro(InterfaceModel i) => VTableBase(i).ToUpperInvariant();

    /// <summary>The C# and Rust type-name stem of an interface: <c>AcmeGreeterV1</c>.</summary>
    public static string Pascal(InterfaceModel i) => InterfaceIds.Pascal(VTableBase(i));

    /// <summary>The fingerprint constant of one minor: <c>ACME_GREETER_V1_LAYOUT_FINGERPRINT_1_0</c>.</summary>
    public static string Fingerprint(InterfaceModel i, uint minor) => $"{Macro(i)}_LAYOUT_FINGERPRINT_{i.Revision}_{minor}";

    /// <summary>The fingerprint constant of the newest minor: <c>ACME_GREETER_V1_LAYOUT_FINGERPRINT</c>.</summary>
    public static string Fingerprint(InterfaceModel i) => $"{Macro(i)}_LAYOUT_FINGERPRINT";

    /// <summary>The C# file stem: the header stem, PascalCase (<c>Greeter</c>).</summary>
    public static string StemPascal(ContractModel model) => InterfaceIds.Pascal(model.Stem);

    /// <summary>"Since acme.greeter/1 minor 1" for documentation, or "" for minor 0.</summary>
    public static string Since(ContractModel model, AbiStruct owner, uint minor)
    {
        if (minor == 0) return "";
        var i = model.Interfaces.FirstOrDefault(x => x.Structs.Contains(owner));
        return i is null ? $" Since minor {minor}." : $" Since {i.Id} minor {minor} (@since {i.Revision}.{minor}).";
    }
}
