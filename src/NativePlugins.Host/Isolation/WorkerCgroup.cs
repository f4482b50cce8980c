using System.Globalization;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The memory cgroup of one worker process (<see cref="IsolationOptions.ResidentMemoryLimitBytes"/>): a directory
/// of its own under a parent cgroup the host may write to, with the limit set before the worker runs plugin code
/// (the host moves the worker in right after spawning it, before the LOAD request), read after its death to tell an
/// OOM kill from any other SIGKILL, and removed once the worker is reaped.
/// <para>
/// Why a cgroup beside RLIMIT_AS: RLIMIT_AS counts address space, so a plugin that reserves much and touches little
/// (a JIT, a sanitizer, a large mmap) is refused early, while a cgroup counts the memory actually charged (resident
/// pages, page cache, kernel memory) and ends the whole worker with the kernel's OOM killer when it is reached.
/// </para>
/// Both hierarchies: cgroup v2 (<c>memory.max</c>, <c>memory.swap.max</c> = 0, <c>memory.oom.group</c>,
/// <c>memory.events</c>) and v1's memory controller (<c>memory.limit_in_bytes</c>, <c>memory.memsw.limit_in_bytes</c>,
/// <c>memory.oom_control</c>). Directory names are <c>nplug-worker.&lt;host pid&gt;.&lt;n&gt;</c>: the ones a dead
/// host left behind are removed the first time a live host uses the same parent.
/// </summary>
internal sealed class WorkerCgroup : IDisposable
{
    private const string NamePrefix = "nplug-worker.";
    private static long s_sequence;
    private static readonly HashSet<string> s_swept = new(StringComparer.Ordinal);

    private readonly bool _v2;
    private bool _disposed;

    private WorkerCgroup(string path, bool v2, long limitBytes)
    {
        Path = path;
        _v2 = v2;
        LimitBytes = limitBytes;
    }

    /// <summary>The cgroup's directory.</summary>
    public string Path { get; }

    public long LimitBytes { get; }

    /// <summary>
    /// Makes a cgroup with the memory limit under <paramref name="parent"/> (null: the host's own memory cgroup).
    /// Throws <see cref="WorkerLimitException"/> naming the directory and the reason when that is not possible here
    /// (no memory controller, not delegated, no permission): a limit that was asked for is never silently dropped.
    /// </summary>
    public static WorkerCgroup Create(long limitBytes, string? parent)
    {
        if (limitBytes <= 0)
            throw new WorkerLimitException($"IsolationOptions.ResidentMemoryLimitBytes must be positive (it is {limitBytes})");
        var (directory, v2) = parent is null ? Locate() : (parent, IsUnified(parent));
        if (!Directory.Exists(directory))
            throw new WorkerLimitException($"the cgroup {directory} does not exist");
        SweepStale(directory);
        var path = System.IO.Path.Combine(directory,
            $"{NamePrefix}{Environment.ProcessId}.{Interlocked.Increment(ref s_sequence)}");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkerLimitException($"cannot create the worker's cgroup {path}: {e.Message}", e);
        }
        var cgroup = new WorkerCgroup(path, v2, limitBytes);
        try
        {
            string limitFile = v2 ? "memory.max" : "memory.limit_in_bytes";
            if (!File.Exists(System.IO.Path.Combine(path, limitFile)))
                throw new WorkerLimitException(v2
                    ? $"the memory controller is not enabled for the children of {directory} (add \"+memory\" to its cgroup.subtree_control, or name a delegated cgroup in IsolationOptions.CgroupParent)"
                    : $"{directory} is not in a cgroup v1 memory hierarchy");
            string bytes = limitBytes.ToString(CultureInfo.InvariantCulture);
            cgroup.Write(limitFile, bytes);
            // Swap would let the worker's pages leave memory instead of the limit ending it; the limit must mean
            // what it says. Absent files (no swap accounting) are fine: there is no swap to escape to then.
            if (v2)
            {
                cgroup.TryWrite("memory.swap.max", "0");
                cgroup.TryWrite("memory.oom.group", "1"); // a plugin that forked goes with the worker
            }
            else
            {
                cgroup.TryWrite("memory.memsw.limit_in_bytes", bytes); // after limit_in_bytes: memsw >= limit
            }
            return cgroup;
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    /// <summary>Moves process <paramref name="pid"/> into the cgroup.</summary>
    public void Add(int pid) => Write("cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>How many times the kernel's OOM killer ended a process of this cgroup (0 when unknown).</summary>
    public long OomKills()
    {
        try
        {
            var file = System.IO.Path.Combine(Path, _v2 ? "memory.events" : "memory.oom_control");
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal) &&
                    long.TryParse(line.AsSpan("oom_kill ".Length), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                    return n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // unreadable: report no OOM kill rather than guess one
        }
        return 0;
    }

    /// <summary>Removes the cgroup; call after the worker is reaped. The kernel may need a moment after the last
    /// process's exit before the directory is free (EBUSY), so it is retried briefly; a directory that stays is
    /// removed by the next host's sweep.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(2);
            }
        }
    }

    private void Write(string file, string value)
    {
        try
        {
            // FileMode.Open: cgroup files exist or the controller is missing; never create one.
            using var stream = new FileStream(System.IO.Path.Combine(Path, file), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(value));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkerLimitException($"cannot write {value} to {System.IO.Path.Combine(Path, file)}: {e.Message}", e);
        }
    }

    private void TryWrite(string file, string value)
    {
        if (!File.Exists(System.IO.Path.Combine(Path, file))) return;
        try
        {
            Write(file, value);
        }
        catch (WorkerLimitException)
        {
            // optional refinement (swap accounting may be off at boot): the limit itself is set
        }
    }

    /// <summary>The host's own memory cgroup: v1's memory hierarchy when mounted (hybrid systems mount v2 without
    /// the memory controller beside it), else the unified hierarchy.</summary>
    private static (string Directory, bool V2) Locate()
    {
        string? v1Mount = null, v1Root = null, v2Mount = null, v2Root = null;
        string[] mounts, groups;
        try
        {
            mounts = File.ReadAllLines("/proc/self/mountinfo");
            groups = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkerLimitException($"cannot read this process's cgroups: {e.Message}", e);
        }
        foreach (var line in mounts)
        {
            // "36 25 0:32 <root> <mount point> <options> ... - <fstype> <source> <super options>"
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var head = line[..dash].Split(' ');
            var tail = line[(dash + 3)..].Split(' ');
            if (head.Length < 5 || tail.Length < 3) continue;
            if (tail[0] == "cgroup2" && v2Mount is null) (v2Mount, v2Root) = (Unescape(head[4]), Unescape(head[3]));
            else if (tail[0] == "cgroup" && tail[2].Split(',').Contains("memory")) (v1Mount, v1Root) = (Unescape(head[4]), Unescape(head[3]));
        }
        foreach (var line in groups)
        {
            // "<id>:<controllers>:<path>"; v2 is "0::<path>"
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (v1Mount is not null && parts[1].Split(',').Contains("memory"))
                return (Join(v1Mount, v1Root!, parts[2]), false);
        }
        if (v2Mount is not null)
        {
            foreach (var line in groups)
                if (line.StartsWith("0::", StringComparison.Ordinal))
                    return (Join(v2Mount, v2Root!, line[3..]), true);
        }
        throw new WorkerLimitException("this system has no cgroup memory controller mounted");
    }

    /// <summary>The directory of cgroup <paramref name="path"/> in a hierarchy mounted at <paramref name="mount"/>
    /// whose root there is <paramref name="root"/> (a container sees its own cgroup as "/").</summary>
    private static string Join(string mount, string root, string path)
    {
        if (root != "/" && path.StartsWith(root, StringComparison.Ordinal)) path = path[root.Length..];
        return System.IO.Path.Join(mount, path.TrimStart('/')).TrimEnd('/');
    }

    private static bool IsUnified(string directory) => File.Exists(System.IO.Path.Combine(directory, "cgroup.controllers"));

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal.</summary>
    private static string Unescape(string s) =>
        !s.Contains('\\') ? s : System.Text.RegularExpressions.Regex.Replace(s, @"\\([0-7]{3})",
            m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    /// <summary>Removes the worker cgroups of hosts that are gone (an rmdir of a cgroup still in use fails, so a
    /// live one is never touched). Once per parent and process.</summary>
    private static void SweepStale(string directory)
    {
        lock (s_swept)
            if (!s_swept.Add(directory)) return;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(directory, NamePrefix + "*"))
            {
                var name = System.IO.Path.GetFileName(dir).AsSpan(NamePrefix.Length);
                int dot = name.IndexOf('.');
                if (dot <= 0 || !int.TryParse(name[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
                try
                {
                    Directory.Delete(dir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // still busy or not ours: leave it
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an unlistable parent: creating the worker's cgroup there reports the real problem
        }
    }
}

/// <summary>A limit of <see cref="IsolationOptions"/> could not be applied to a worker; the worker is not started.</summary>
internal sealed class WorkerLimitException(string message, Exception? inner = null) : IOException(message, inner);
