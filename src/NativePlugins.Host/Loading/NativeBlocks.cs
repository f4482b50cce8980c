using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Native memory that lives exactly as long as one library handle: the host's copies of the library's interface
/// vtables (rule H2: bytes beyond the library's struct_size read as zero). The functions those copies point to are
/// in the library, so the copies are freed together with it, never earlier. Thread-safe.
/// </summary>
internal sealed unsafe class NativeBlocks
{
    private readonly Lock _lock = new();
    private List<nint>? _blocks;

    /// <summary>A new zeroed block of <paramref name="size"/> bytes, freed by <see cref="FreeAll"/>.</summary>
    public void* AllocZeroed(uint size)
    {
        var block = NativeMemory.AllocZeroed(size == 0 ? 1u : size);
        lock (_lock) (_blocks ??= []).Add((nint)block);
        return block;
    }

    /// <summary>Frees every block. Only once nothing can read them any more (the library's release).</summary>
    public void FreeAll()
    {
        List<nint>? blocks;
        lock (_lock)
        {
            blocks = _blocks;
            _blocks = null;
        }
        if (blocks is null) return;
        foreach (var b in blocks) NativeMemory.Free((void*)b);
    }
}
