using System.Collections.Concurrent;
using System.Text;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// Starts worker processes, always from one long-lived thread of the host. The worker asks the kernel to kill it
/// when its parent dies (PR_SET_PDEATHSIG), and on Linux "parent" means the thread that forked it: a worker
/// started from a thread-pool thread would be killed when that thread retires. One dedicated thread, alive as long
/// as the process, makes the worker die with the host and only then.
/// </summary>
internal static unsafe class WorkerSpawner
{
    private static readonly BlockingCollection<SpawnRequest> s_requests = StartThread();

    private sealed class SpawnRequest(string path, string[] args, (int From, int To)[] fds)
    {
        public string Path { get; } = path;
        public string[] Args { get; } = args;
        public (int From, int To)[] Fds { get; } = fds;
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static BlockingCollection<SpawnRequest> StartThread()
    {
        var queue = new BlockingCollection<SpawnRequest>();
        var thread = new Thread(() =>
        {
            foreach (var r in queue.GetConsumingEnumerable())
            {
                try
                {
                    r.Done.SetResult(Spawn(r.Path, r.Args, r.Fds));
                }
                catch (Exception e)
                {
                    r.Done.SetException(e);
                }
            }
        })
        {
            IsBackground = true,
            Name = "nplug worker spawner",
        };
        thread.Start();
        return queue;
    }

    /// <summary>Starts <paramref name="path"/> with <paramref name="args"/>, each (from, to) descriptor dup2'd onto
    /// its fixed number in the child; returns the pid.</summary>
    public static int Start(string path, string[] args, (int From, int To)[] fds)
    {
        var request = new SpawnRequest(path, args, fds);
        s_requests.Add(request);
        return request.Done.Task.GetAwaiter().GetResult();
    }

    private static int Spawn(string path, string[] args, (int From, int To)[] fds)
    {
        var strings = new List<nint>();
        byte* actions = stackalloc byte[WorkerLibc.FileActionsBytes];
        bool actionsReady = false;
        try
        {
            nint Utf8(string s)
            {
                var bytes = Encoding.UTF8.GetBytes(s + "\0");
                var p = System.Runtime.InteropServices.Marshal.AllocHGlobal(bytes.Length);
                bytes.CopyTo(new Span<byte>((void*)p, bytes.Length));
                strings.Add(p);
                return p;
            }
            var argv = new nint[args.Length + 2];
            argv[0] = Utf8(path);
            for (int i = 0; i < args.Length; i++) argv[i + 1] = Utf8(args[i]);
            var env = Environment.GetEnvironmentVariables();
            var envp = new nint[env.Count + 1];
            int k = 0;
            foreach (System.Collections.DictionaryEntry e in env) envp[k++] = Utf8($"{e.Key}={e.Value}");
            if (WorkerLibc.FileActionsInit(actions) != 0) throw new IOException("posix_spawn_file_actions_init failed");
            actionsReady = true;
            foreach (var (from, to) in fds)
                if (WorkerLibc.FileActionsAddDup2(actions, from, to) != 0)
                    throw new IOException("posix_spawn_file_actions_adddup2 failed");
            int pid;
            int error;
            fixed (nint* a = argv)
            fixed (nint* e = envp)
                error = WorkerLibc.PosixSpawn(&pid, (byte*)argv[0], actions, null, (byte**)a, (byte**)e);
            if (error != 0) throw new IOException($"cannot start the worker {path}: {WorkerLibc.ErrorText(error)}");
            return pid;
        }
        finally
        {
            if (actionsReady) WorkerLibc.FileActionsDestroy(actions);
            foreach (var p in strings) System.Runtime.InteropServices.Marshal.FreeHGlobal(p);
        }
    }
}
