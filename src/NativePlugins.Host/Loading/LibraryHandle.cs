using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Services;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// The dlopen handle of a library, reference-counted by SafeHandle: every live instance holds a reference
/// (DangerousAddRef), so <c>deinit</c> runs only after the last instance was destroyed and the library was
/// disposed, and the file is unloaded only after that (rule H6) and only when it can be unloaded. Safe to be
/// released by the finalizer.
/// </summary>
internal sealed unsafe class LibraryHandle : SafeHandle
{
    public LibraryHandle(nint handle, string filePath, bool canUnload) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        FilePath = filePath;
        CanUnload = canUnload;
    }

    public string FilePath { get; }

    /// <summary>False for libraries that must stay mapped (NativeAOT/hosted .NET plugins, or by option).</summary>
    public bool CanUnload { get; set; }

    public override bool IsInvalid => handle == 0;

    /// <summary>Set once init succeeded: deinit is then owed.</summary>
    internal delegate* unmanaged[Cdecl]<void> Deinit { get; set; }

    /// <summary>The host table given to init; freed after deinit returns (rule H7).</summary>
    internal HostTable? Table { get; set; }

    internal ILogger? Logger { get; set; }

    internal AllocationCounters? Counters { get; set; }

    /// <summary>The shadow copy the library was mapped from (hot reload), or null: deleted once it is unloaded, and
    /// kept while it stays mapped (a library that cannot be unloaded).</summary>
    internal string? ShadowCopy { get; set; }

    /// <summary>The watched file's stamp when its shadow copy was taken (hot reload), or null.</summary>
    internal FileStamp? SourceStamp { get; set; }

    /// <summary>True once <see cref="ReleaseHandle"/> ran: deinit was called and the file unloaded (when allowed).</summary>
    internal bool Released => Volatile.Read(ref _released);

    private bool _released;

    /// <summary>The host's copies of the library's registered-interface vtables; freed with the library.</summary>
    internal NativeBlocks Blocks { get; } = new();

    protected override bool ReleaseHandle()
    {
        try
        {
            if (Deinit != null)
            {
                lock (HostSerialization.Lock) Deinit();
                Deinit = null;
                var live = Counters?.LiveAllocations ?? 0;
                if (live != 0)
                    Logger?.LogWarning("{File}: {Live} host allocations still live after deinit (rule P4)", FilePath, live);
            }
            Table?.Dispose();
            Table = null;
            Blocks.FreeAll();
            if (CanUnload)
            {
                NativeLibrary.Free(handle);
                if (ShadowCopy is { } copy) Reload.ShadowCopies.Delete(copy);
            }
        }
        catch
        {
            // Release may run on the finalizer thread: nothing may escape.
        }
        Volatile.Write(ref _released, true);
        return true;
    }
}
