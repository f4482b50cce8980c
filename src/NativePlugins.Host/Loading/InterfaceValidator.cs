using System.Runtime.CompilerServices;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// The load checks of a vtable of a registered interface (interop/interfaces.md section 3): struct_size at least the
/// vtable at minor 0 (<see cref="PluginLoadError.StructTooSmall"/>); the library's fingerprint, when given, equal to
/// one of the contract's minors or else a layout report that shows only appended fields
/// (<see cref="InterfaceLayoutCheck"/>, <see cref="PluginLoadError.LayoutMismatch"/>); every required function the
/// vtable covers non-NULL (<see cref="PluginLoadError.NullFunction"/>). Then copies the vtable per rule H2.
/// </summary>
internal static unsafe class InterfaceValidator
{
    public static ValidatedInterface Validate(string file, string pluginId, RegisteredInterface itf, void* vtable,
        np_interface_layout_t layout, NativeBlocks blocks, LoadedMemory? memory = null)
    {
        memory ??= LoadedMemory.Unchecked;
        var contract = itf.Contract;
        uint structSize = *(uint*)vtable;
        if (structSize < itf.VTable.MinimumSize) throw TooSmall(file, pluginId, itf, structSize);
        // The most the host reads of it, whatever minor the fingerprint picks below.
        PointerCheck.Readable(memory, vtable, Math.Min(itf.VTable.ReadableBytes(structSize, contract.NewestMinor), contract.Size),
            file, pluginId, "np_interface_t.vtable", itf.Id);
        // The report is read only when the fingerprint matches no minor (InterfaceLayoutCheck): checked only then.
        if (layout.fingerprint != 0 && contract.MinorOf(layout.fingerprint) is null)
            PointerCheck.LayoutReport(memory, layout.report, "np_interface_layout_t.report", file, pluginId, itf.Id);

        ulong? fingerprint = layout.fingerprint == 0 ? null : layout.fingerprint;
        uint minor = fingerprint is { } fp
            ? contract.MinorOf(fp) ?? InterfaceLayoutCheck.NewerOrRefuse(file, pluginId, itf, fp, layout.report)
            : MinorFitting(contract, structSize);

        uint readable = itf.VTable.ReadableBytes(structSize, minor);
        foreach (var f in contract.Functions)
        {
            // A required function appended later is required only when struct_size (and the minor) cover it (I4);
            // a function beyond them is never read, so never called.
            if (f.SinceMinor > minor || f.End > readable) continue;
            var fn = *(void**)((byte*)vtable + f.Offset);
            if (fn == null)
            {
                if (f.Required) throw NullFunction(file, pluginId, itf, f);
                continue;
            }
            PointerCheck.Executable(memory, fn, file, pluginId, itf.QualifiedNames[f.Name]);
        }

        var copy = blocks.AllocZeroed(contract.Size);
        Unsafe.CopyBlockUnaligned(copy, vtable, Math.Min(readable, contract.Size));
        return new ValidatedInterface(itf, copy, structSize, readable, minor, fingerprint);
    }

    /// <summary>
    /// The load checks of a registered interface that a worker process validated for an isolated library, from what
    /// it reported (its struct_size, the library's fingerprint and the layout report beside it, rebuilt here; the
    /// vtable itself is not in this process): struct_size at least the vtable at minor 0, and a fingerprint, when
    /// given, equal to one of the contract's minors or else a report that shows only appended fields, exactly as
    /// <see cref="Validate"/> decides (the worker checks the required functions at create). The minor the host reads
    /// the vtable at.
    /// </summary>
    public static uint ReportedMinor(string file, string pluginId, RegisteredInterface itf, uint structSize, ulong? fingerprint,
        np_layout_report_t* report)
    {
        var contract = itf.Contract;
        if (structSize < itf.VTable.MinimumSize) throw TooSmall(file, pluginId, itf, structSize);
        if (fingerprint is not { } fp) return MinorFitting(contract, structSize);
        return contract.MinorOf(fp) ?? InterfaceLayoutCheck.NewerOrRefuse(file, pluginId, itf, fp, report);
    }

    /// <summary>Without a fingerprint: the newest minor whose vtable fits in struct_size (a 1.0/1.1 library, or one
    /// that gives no layout, is checked by struct_size and NULLs only).</summary>
    private static uint MinorFitting(NativeInterfaceContract contract, uint structSize)
    {
        uint minor = 0;
        for (uint m = 1; m <= contract.NewestMinor; m++)
            if (contract.VTable.SizeAt(m) <= structSize) minor = m;
        return minor;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException TooSmall(string file, string pluginId, RegisteredInterface itf, uint structSize) =>
        new(PluginLoadError.StructTooSmall, file, pluginId,
            $"the {itf.Id} vtable ({itf.VTable.Name}) has struct_size {structSize}; {itf.VTable.Name} is " +
            $"{itf.VTable.MinimumSize} bytes at {itf.Id} minor 0");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException NullFunction(string file, string pluginId, RegisteredInterface itf,
        NativeInterfaceFunction f) =>
        new(PluginLoadError.NullFunction, file, pluginId,
            $"{itf.QualifiedNames[f.Name]} is NULL ({itf.Id} requires it: \"Never NULL\")");
}
