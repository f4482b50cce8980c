using System.Globalization;

namespace NativePlugins.Hosting;

/// <summary>
/// What a plugin's descriptor says about one interface it lists, as validated at load: its id, the struct_size of
/// its vtable, the interface fingerprint the library gave in <c>np_plugin_descriptor_t.interface_layouts</c> (ABI
/// 1.2), and, for an interface the host registered (<see cref="PluginHostOptions.Interfaces"/>), the interface minor
/// the host reads the vtable at.
/// </summary>
/// <param name="Id">The interface id, e.g. <c>acme.greeter/1</c>.</param>
/// <param name="StructSize">The vtable's struct_size as the library gave it.</param>
/// <param name="LayoutFingerprint">The interface fingerprint the library gave; null when it gave none (fingerprint
/// 0, no <c>interface_layouts</c>, or a 1.0/1.1 library). Shown for every interface, registered or not.</param>
/// <param name="Minor">For a registered interface: the minor whose fingerprint matched, the host's newest minor for a
/// newer library whose layout report shows only appended fields, or, without a fingerprint, the newest minor whose
/// vtable fits in <paramref name="StructSize"/>. Null for an interface the host did not register (and for
/// <c>np.transform/1</c>, whose minor is the agreed ABI minor).</param>
public readonly record struct InterfaceDetail(string Id, uint StructSize, ulong? LayoutFingerprint, uint? Minor)
{
    /// <summary>True when the host validated the vtable against a registered contract.</summary>
    public bool IsValidated => Minor is not null;

    /// <summary><c>acme.greeter/1 (minor 1, fingerprint 0x...)</c>; only the id when there is nothing to add.</summary>
    public override string ToString()
    {
        if (Minor is null && LayoutFingerprint is null) return Id;
        var parts = new List<string>(2);
        if (Minor is { } m) parts.Add(string.Create(CultureInfo.InvariantCulture, $"minor {m}"));
        if (LayoutFingerprint is { } f) parts.Add(string.Create(CultureInfo.InvariantCulture, $"fingerprint 0x{f:x16}"));
        return $"{Id} ({string.Join(", ", parts)})";
    }
}
