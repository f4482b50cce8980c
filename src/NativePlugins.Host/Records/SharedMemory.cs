using NativePlugins.Hosting.Isolation;

namespace NativePlugins.Hosting.Records;

/// <summary>
/// memfds as the host maps them: every one created close-on-exec (no child inherits it by accident; a worker gets
/// one only by posix_spawn's dup2 or an SCM_RIGHTS message) and sealed against shrinking (F_SEAL_SHRINK), so that
/// no process holding it, a hostile worker included, can cut it under another's mapping and make that process fault.
/// Grown with ftruncate; a mapping is moved with mremap.
/// </summary>
internal static unsafe class SharedMemory
{
    public const ulong Page = 4096;

    public static ulong RoundUp(ulong bytes) => checked((bytes + Page - 1) / Page * Page);

    /// <summary>A new, empty, shrink-sealed memfd.</summary>
    public static int Create(string name)
    {
        int fd;
        var bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* n = bytes) fd = WorkerLibc.MemfdCreate(n, WorkerLibc.MfdCloexec | WorkerLibc.MfdAllowSealing);
        if (fd < 0) throw new IOException($"memfd_create({name}) failed: {WorkerLibc.ErrorText(WorkerLibc.LastError)}");
        if (WorkerLibc.Fcntl(fd, WorkerLibc.FAddSeals, WorkerLibc.FSealShrink) != 0)
        {
            int e = WorkerLibc.LastError;
            WorkerLibc.Close(fd);
            throw new IOException($"sealing the {name} memfd failed: {WorkerLibc.ErrorText(e)}");
        }
        return fd;
    }

    /// <summary>The memfd's size now (another process may have grown it).</summary>
    public static ulong SizeOf(int fd)
    {
        long end = WorkerLibc.Lseek(fd, 0, WorkerLibc.SeekEnd);
        return end < 0 ? 0 : (ulong)end;
    }

    /// <summary>Makes the memfd at least <paramref name="size"/> bytes (never smaller); false when ftruncate fails.</summary>
    public static bool Extend(int fd, ulong size) => SizeOf(fd) >= size || WorkerLibc.Ftruncate(fd, checked((long)size)) == 0;

    /// <summary>Maps <paramref name="size"/> bytes of the memfd (extended first); null when that fails.</summary>
    public static byte* Map(int fd, ulong size)
    {
        if (!Extend(fd, size)) return null;
        var p = WorkerLibc.Mmap(null, (nuint)size, WorkerLibc.ProtRead | WorkerLibc.ProtWrite, WorkerLibc.MapShared, fd, 0);
        return p == (void*)-1 ? null : (byte*)p;
    }

    /// <summary>Moves a mapping of the memfd to <paramref name="newSize"/> bytes (extended first when
    /// <paramref name="extend"/>, else only as far as the memfd already reaches); null, with the old mapping intact,
    /// when that fails.</summary>
    public static byte* Remap(int fd, byte* mapping, ulong oldSize, ulong newSize, bool extend = true)
    {
        if (extend ? !Extend(fd, newSize) : SizeOf(fd) < newSize) return null;
        var p = WorkerLibc.Mremap(mapping, (nuint)oldSize, (nuint)newSize, WorkerLibc.MremapMayMove);
        return p == (void*)-1 ? null : (byte*)p;
    }

    public static void Unmap(byte* mapping, ulong size)
    {
        if (mapping != null) WorkerLibc.Munmap(mapping, (nuint)size);
    }
}
