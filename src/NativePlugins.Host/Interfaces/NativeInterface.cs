using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A plugin's vtable of a registered interface, as validated at load (interop/interfaces.md section 3) and copied
/// per rule H2: what <see cref="PluginLibrary.GetInterface"/> returns, for interfaces without instances and for
/// advanced use. The copy lives as long as the library is loaded; keep the library (or an instance of it) alive
/// while calling through <see cref="VTable"/>.
/// </summary>
public sealed unsafe class NativeInterface
{
    private readonly ValidatedInterface _validated;

    internal NativeInterface(PluginLibrary library, PluginInfo plugin, ValidatedInterface validated)
    {
        Library = library;
        Plugin = plugin;
        _validated = validated;
    }

    /// <summary>The library the plugin came from.</summary>
    public PluginLibrary Library { get; }

    /// <summary>The plugin whose vtable this is.</summary>
    public PluginInfo Plugin { get; }

    /// <summary>The registered contract the vtable was validated against.</summary>
    public NativeInterfaceContract Contract => _validated.Registered.Contract;

    /// <summary>The host's copy of the vtable: <see cref="NativeInterfaceContract.Size"/> bytes, the fields the
    /// library's struct_size (and <see cref="Minor"/>) does not cover read as zero (NULL functions).</summary>
    public nint VTable => (nint)_validated.VTable;

    /// <summary>The vtable's struct_size as the library gave it.</summary>
    public uint StructSize => _validated.StructSize;

    /// <summary>The interface minor the vtable is read at (see <see cref="InterfaceDetail.Minor"/>).</summary>
    public uint Minor => _validated.Minor;

    /// <summary>The interface fingerprint the library gave, or null.</summary>
    public ulong? LayoutFingerprint => _validated.Fingerprint;

    /// <summary>True when the plugin provides <paramref name="functionName"/> (a field name of the vtable, e.g.
    /// <c>count</c>): covered by its struct_size and the read minor, and non-NULL.</summary>
    /// <exception cref="ArgumentException">The contract has no function of that name.</exception>
    public bool Has(string functionName) => Function(functionName) != 0;

    /// <summary>The function pointer of <paramref name="functionName"/>, or 0 when the plugin does not provide it.</summary>
    /// <exception cref="ArgumentException">The contract has no function of that name.</exception>
    public nint Function(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        foreach (var f in Contract.Functions)
            if (string.Equals(f.Name, functionName, StringComparison.Ordinal)) return _validated.FunctionAt(f.Offset);
        throw new ArgumentException(
            $"{Contract.Id} has no function '{functionName}' (it has {string.Join(", ", Contract.Functions.Select(f => f.Name))})",
            nameof(functionName));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Plugin.Id}: {Contract.Id} (minor {Minor}, struct_size {StructSize})";
}
