using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A plugin's vtable of a registered interface, as validated at load (interop/interfaces.md section 3) and copied
/// per rule H2: what <see cref="PluginLibrary.GetInterface"/> returns, for interfaces without instances and for
/// advanced use. The copy lives as long as the library is loaded: a view from <see cref="PluginLibrary.GetInterface"/>
/// is usable until the library is disposed, the one of an instance (<see cref="NativeInstance.Interface"/>) until the
/// instance is; after that, reading the vtable throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed unsafe class NativeInterface
{
    private readonly ValidatedInterface _validated;
    private readonly NativeInstance? _owner;

    internal NativeInterface(PluginLibrary library, PluginInfo plugin, ValidatedInterface validated, NativeInstance? owner = null)
    {
        Library = library;
        Plugin = plugin;
        _validated = validated;
        _owner = owner;
    }

    /// <summary>The library the plugin came from.</summary>
    public PluginLibrary Library { get; }

    /// <summary>The plugin whose vtable this is.</summary>
    public PluginInfo Plugin { get; }

    /// <summary>The registered contract the vtable was validated against.</summary>
    public NativeInterfaceContract Contract => _validated.Registered.Contract;

    /// <summary>The host's copy of the vtable: <see cref="NativeInterfaceContract.Size"/> bytes, the fields the
    /// library's struct_size (and <see cref="Minor"/>) does not cover read as zero (NULL functions).</summary>
    public nint VTable
    {
        get
        {
            ThrowIfGone();
            return (nint)_validated.VTable;
        }
    }

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
        ThrowIfGone();
        foreach (var f in Contract.Functions)
            if (string.Equals(f.Name, functionName, StringComparison.Ordinal)) return _validated.FunctionAt(f.Offset);
        throw new ArgumentException(
            $"{Contract.Id} has no function '{functionName}' (it has {string.Join(", ", Contract.Functions.Select(f => f.Name))})",
            nameof(functionName));
    }

    /// <summary>The vtable copy is freed with the library: refuse to read it once what kept it alive is disposed.</summary>
    private void ThrowIfGone()
    {
        if (_owner is null ? Library.IsDisposed : _owner.IsDisposed) throw new ObjectDisposedException(ToString());
    }

    /// <inheritdoc />
    public override string ToString() => $"{Plugin.Id}: {Contract.Id} (minor {Minor}, struct_size {StructSize})";
}
