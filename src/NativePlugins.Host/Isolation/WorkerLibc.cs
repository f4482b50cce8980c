using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The Linux calls process isolation needs, straight from libc: memfd and eventfd for the channels, posix_spawn to
/// start the worker with them on fixed descriptors, pidfd and poll to learn of its death while waiting, kill and
/// waitpid to end and reap it. Linux x64 and arm64 constants (asm-generic); isolation is Linux-only.
/// </summary>
internal static unsafe partial class WorkerLibc
{
    public const int MfdCloexec = 1, MfdAllowSealing = 2;
    public const int FAddSeals = 1033, FSealShrink = 2;
    public const int MremapMayMove = 1;
    public const int SeekEnd = 2;
    public const int AfUnix = 1, SockSeqPacket = 5, SockCloexec = 0x80000;
    public const int SolSocket = 1, ScmRights = 1, MsgNoSignal = 0x4000;
    public const int EfdCloexec = 0x80000;
    public const int OCloexec = 0x80000;
    public const int ONonBlock = 0x800;
    public const int FGetFl = 3, FSetFl = 4;
    public const int ProtRead = 1, ProtWrite = 2, MapShared = 1;
    public const short PollIn = 1, PollHup = 0x10, PollErr = 8;
    public const int SigKill = 9;
    public const int WNoHang = 1;
    public const int EINTR = 4, EAGAIN = 11, ECHILD = 10;
    private const long SysPidfdOpen = 434; // the same number on every architecture (asm-generic table, x86-64 too)

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>One SCM_RIGHTS control message carrying one descriptor (struct cmsghdr + int, padded: CMSG_SPACE).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RightsMessage
    {
        public nuint Length; // CMSG_LEN(sizeof(int)) = 20
        public int Level;
        public int Type;
        public int Fd;
        public int Padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>This thread's CPU (a vDSO or rseq read, no system call): the wake-up rule's same-CPU test.</summary>
    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    [SuppressGCTransition]
    public static partial int SchedGetCpu();

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    public static partial int MemfdCreate(byte* name, uint flags);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "mremap", SetLastError = true)]
    public static partial void* Mremap(void* oldAddress, nuint oldSize, nuint newSize, int flags);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    /// <summary>posix_spawn_file_actions_t is 80 bytes in glibc and smaller elsewhere: a buffer this big fits all.</summary>
    public const int FileActionsBytes = 256;

    /// <summary>A descriptor that becomes readable when the process ends (Linux 5.3+); -1 with errno otherwise.</summary>
    public static int PidfdOpen(int pid) => (int)Syscall(SysPidfdOpen, pid, 0);

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
