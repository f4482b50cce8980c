namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// The check at first use: a library loaded for a discovered plugin must declare exactly what discovery recorded
/// (the cache, the scan or a sidecar manifest). Otherwise the host would create instances of something it never
/// listed: a manifest that lies, a library that answers differently from one load to the next. Compared: sdk, flags,
/// negotiated and library ABI, layout fingerprint, and per plugin its id, name, version, description, vendor,
/// threading and interfaces (id, struct_size, fingerprint).
/// </summary>
internal static class DiscoveryPromise
{
    /// <summary>The first difference, as "what: discovery recorded X, the library declares Y", or null.</summary>
    public static string? FirstDifference(DiscoveredLibrary promised, PluginLibrary loaded)
    {
        if (Differs("sdk", promised.Sdk, loaded.Sdk) is { } d) return d;
        if (promised.Flags != loaded.Flags) return Said("flags", promised.Flags, loaded.Flags);
        if (promised.AgreedAbi != loaded.AgreedAbi) return Said("the agreed ABI", promised.AgreedAbi, loaded.AgreedAbi);
        if (promised.LibraryAbi != loaded.LibraryAbi) return Said("the library ABI", promised.LibraryAbi, loaded.LibraryAbi);
        if (promised.LayoutFingerprint != loaded.LayoutFingerprint)
            return Said("the layout fingerprint", $"0x{promised.LayoutFingerprint:x16}", $"0x{loaded.LayoutFingerprint:x16}");
        if (promised.Plugins.Length != loaded.Plugins.Length)
            return Said("the plugin count", promised.Plugins.Length, loaded.Plugins.Length);
        for (int i = 0; i < promised.Plugins.Length; i++)
        {
            var p = promised.Plugins[i];
            var l = loaded.Plugins[i];
            var at = $"plugin {i} ('{p.Id}')";
            var text = Differs($"{at} id", p.Id, l.Id) ?? Differs($"{at} name", p.Name, l.Name) ??
                Differs($"{at} version", p.Version, l.Version) ?? Differs($"{at} description", p.Description, l.Description) ??
                Differs($"{at} vendor", p.Vendor, l.Vendor);
            if (text is not null) return text;
            if (p.Threading != l.Threading) return Said($"{at} threading", p.Threading, l.Threading);
            if (p.InterfaceDetails.Length != l.InterfaceDetails.Length)
                return Said($"{at} interface count", p.InterfaceDetails.Length, l.InterfaceDetails.Length);
            for (int k = 0; k < p.InterfaceDetails.Length; k++)
            {
                var a = p.InterfaceDetails[k];
                var b = l.InterfaceDetails[k];
                if (a.Id != b.Id || a.StructSize != b.StructSize || a.LayoutFingerprint != b.LayoutFingerprint)
                    return Said($"{at} interface {k}", Describe(a), Describe(b));
            }
        }
        return null;
    }

    private static string Describe(InterfaceDetail d) =>
        $"{d.Id} (struct_size {d.StructSize}, fingerprint {(d.LayoutFingerprint is { } f ? $"0x{f:x16}" : "none")})";

    private static string? Differs(string what, string promised, string actual) =>
        string.Equals(promised, actual, StringComparison.Ordinal) ? null : Said(what, $"'{promised}'", $"'{actual}'");

    private static string Said<T>(string what, T promised, T actual) =>
        $"{what}: discovery recorded {promised}, the library declares {actual}";
}
