using NativePlugins.Hosting.Interfaces;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// A vtable of a registered interface that passed the load checks (interop/interfaces.md section 3), copied per
/// rule H2 into memory the library handle owns (<see cref="NativeBlocks"/>): <see cref="VTable"/> is
/// <see cref="Interop.NativeInterfaceContract.Size"/> bytes, the library's first <see cref="ReadableBytes"/> bytes
/// and zeros after them, so every field the contract knows can be read, and one the library did not give is NULL.
/// </summary>
internal sealed unsafe class ValidatedInterface(RegisteredInterface registered, void* vtable, uint structSize,
    uint readableBytes, uint minor, ulong? fingerprint)
{
    public RegisteredInterface Registered { get; } = registered;

    /// <summary>The host's copy of the vtable (valid while the library handle is).</summary>
    public void* VTable { get; } = vtable;

    /// <summary>The library's struct_size.</summary>
    public uint StructSize { get; } = structSize;

    /// <summary>How many leading bytes were copied from the library (the rest is zero).</summary>
    public uint ReadableBytes { get; } = readableBytes;

    /// <summary>The interface minor the vtable is read at (see <see cref="InterfaceDetail.Minor"/>).</summary>
    public uint Minor { get; } = minor;

    /// <summary>The fingerprint the library gave, or null.</summary>
    public ulong? Fingerprint { get; } = fingerprint;

    /// <summary>The function pointer at <paramref name="offset"/> in the copy: NULL when the library's struct_size
    /// or the read minor does not cover it, or the library left it NULL.</summary>
    public nint FunctionAt(uint offset) => offset + (uint)sizeof(nint) <= ReadableBytes ? *(nint*)((byte*)VTable + offset) : 0;
}
