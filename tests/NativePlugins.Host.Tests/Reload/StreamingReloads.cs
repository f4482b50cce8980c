using System.Collections.Concurrent;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>
/// The driver of the reload-under-load tests: <c>threads</c> threads stream batches (each its own pipeline) while the
/// test thread reloads the library <c>reloads</c> times, each time after every thread has run at least two batches on
/// the current version, so that every reload lands while they are streaming.
/// </summary>
internal static class StreamingReloads
{
    /// <param name="stream">One thread's stream: <c>(thread, running, batchDone)</c>; it runs batches while
    /// <c>running()</c>, calls <c>batchDone()</c> after each, then flushes.</param>
    /// <param name="reload">The <c>r</c>-th reload (install the other version, reload).</param>
    /// <returns>What the streaming threads threw.</returns>
    public static IReadOnlyCollection<Exception> Run(int threads, int reloads, Action<int, Func<bool>, Action> stream,
        Action<int> reload)
    {
        var batches = new long[threads];
        var stop = 0;
        var failures = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                stream(t, () => Volatile.Read(ref stop) == 0, () => Interlocked.Increment(ref batches[t]));
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        try
        {
            for (int r = 0; r < reloads; r++)
            {
                var before = batches.Select((_, i) => Interlocked.Read(ref batches[i])).ToArray();
                while (Enumerable.Range(0, threads).Any(i => Interlocked.Read(ref batches[i]) < before[i] + 2) && failures.IsEmpty)
                    Thread.Yield();
                reload(r);
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            workers.ForEach(w => w.Join());
        }
        return failures;
    }
}
