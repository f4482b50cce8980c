namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// One memfd shared with a worker, mapped in the host: created close-on-exec and shrink-sealed
/// (<see cref="Records.SharedMemory"/>; posix_spawn dup2s it onto the worker's fixed descriptor), grown with ftruncate by whichever side needs
/// room, and remapped here when the other side grew it (<see cref="Sync"/>).
/// </summary>
internal sealed unsafe class SharedRegion : IDisposable
{
    private const long Page = 4096;

    private SharedRegion(int fd, string name)
    {
        Fd = fd;
        Name = name;
    }

    public int Fd { get; private set; }

    public string Name { get; }

    public byte* Base { get; private set; }

    public long Size { get; private set; }

    public static SharedRegion Create(string name, long size)
    {
        int fd = Records.SharedMemory.Create(name);
        var region = new SharedRegion(fd, name);
        try
        {
            if (size > 0) region.Grow(size);
            return region;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Makes the memfd at least <paramref name="needed"/> bytes (geometrically) and maps it all.</summary>
    public void Grow(long needed)
    {
        if (needed <= Size) return;
        long size = Math.Max(needed, Size * 2);
        size = (size + Page - 1) / Page * Page;
        if (WorkerLibc.Ftruncate(Fd, size) != 0)
            throw new InsufficientMemoryException($"ftruncate of the {Name} memfd to {size} bytes failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
        Map(size);
    }

    /// <summary>The other side grew the memfd to <paramref name="size"/>: map all of it.</summary>
    public void Sync(long size)
    {
        // Never past the memfd's real end: a size the worker got wrong (or lied about) must not make a later read
        // of the mapping fault in the host.
        if (size == Size) return;
        size = Math.Min(size, (long)Records.SharedMemory.SizeOf(Fd));
        if (size != Size) Map(size);
    }

    private void Map(long size)
    {
        Unmap();
        var p = WorkerLibc.Mmap(null, (nuint)size, WorkerLibc.ProtRead | WorkerLibc.ProtWrite, WorkerLibc.MapShared, Fd, 0);
        if (p == (void*)-1)
            throw new InsufficientMemoryException($"mmap of the {Name} memfd ({size} bytes) failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
        Base = (byte*)p;
        Size = size;
    }

    private void Unmap()
    {
        if (Base != null) WorkerLibc.Munmap(Base, (nuint)Size);
        Base = null;
        Size = 0;
    }

    public void Dispose()
    {
        Unmap();
        if (Fd >= 0) WorkerLibc.Close(Fd);
        Fd = -1;
    }
}
