using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// Runs <c>nplug-scan</c> (native/scanner) over library files in a child process and turns its report (format 1,
/// native/scanner/README.md) into one <see cref="ScanRecord"/> per file. The scanner announces each library
/// (<c>{"start":i}</c>) before it loads it, so when the process ends early the library it was loading is known:
/// killed by a signal is <see cref="PluginLoadError.ScanCrashed"/>, an <c>exit()</c> from the library (the scanner's
/// <c>{"exit":i}</c> marker) is <see cref="PluginLoadError.ScanExited"/>, and no report line within the deadline is
/// <see cref="PluginLoadError.ScanTimedOut"/> (the scanner is killed). The scanner is then started again on the files
/// after that one, so every other library is still scanned. Thread-safe: each call has its own process.
/// </summary>
internal sealed class OutOfProcessScanner(string scannerPath, uint abiMinor, TimeSpan timeout)
{
    public const int Format = 1;

    /// <summary>How long the scanner may take to start or to move to the next library (no library code runs then).</summary>
    private static readonly TimeSpan BetweenLibraries = TimeSpan.FromSeconds(60);

    /// <summary>How many scanner processes were started (the tests' proof that a warm cache scans nothing).</summary>
    public int Runs { get; private set; }

    /// <summary>One record per path, in order.</summary>
    public ScanRecord[] Scan(IReadOnlyList<string> paths)
    {
        var results = new ScanRecord?[paths.Count];
        int next = 0;
        while (next < paths.Count)
        {
            int before = next;
            next = RunOnce(paths, next, results);
            // A scanner that died between two libraries (no library in progress): the next one is blamed only when
            // a run made no progress at all, so that the loop always ends.
            if (next == before)
            {
                results[next] ??= ScanRecord.Bad(PluginLoadError.ScanFailed, "the scanner ended before scanning this library");
                next++;
            }
        }
        return results.Select(r => r!).ToArray();
    }

    /// <summary>Scans paths[from..] in one process; returns the index of the first path without a result.</summary>
    private int RunOnce(IReadOnlyList<string> paths, int from, ScanRecord?[] results)
    {
        var start = new ProcessStartInfo(scannerPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("--abi-minor");
        start.ArgumentList.Add(abiMinor.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--paths-from-stdin");
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            for (int i = from; i < paths.Count; i++)
                results[i] = ScanRecord.Bad(PluginLoadError.ScanFailed, $"cannot run the scanner {scannerPath}: {e.Message}");
            return paths.Count;
        }
        Runs++;
        process.ErrorDataReceived += static (_, _) => { }; // libraries may write anything: drained, never read
        process.BeginErrorReadLine();
        var feeder = FeedPaths(process, paths, from);

        int current = -1, done = from;
        bool exitMarker = false, timedOut = false;
        var reader = process.StandardOutput;
        try
        {
            while (true)
            {
                // The deadline is the library's: it runs from its {"start":i}. Between libraries only the scanner's own
                // code runs (start-up, reading the next path), which a loaded machine may slow down but never hangs.
                var line = ReadLine(reader, current >= 0 ? timeout : BetweenLibraries);
                if (line is null) break;                 // end of the report: the scanner ended
                if (line.Length == 0) { timedOut = true; break; } // killed below; the library in progress is blamed
                using var doc = TryParse(line);
                if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object) continue; // not a report line
                var root = doc.RootElement;
                if (root.TryGetProperty("start", out var s) && s.TryGetInt32(out var started)) current = from + started;
                else if (root.TryGetProperty("exit", out _)) exitMarker = true;
                else if (root.TryGetProperty("done", out _)) break;
                else if (root.TryGetProperty("nplug_scan", out var format) && !(format.TryGetInt32(out var f) && f == Format))
                {
                    for (int i = from; i < paths.Count; i++)
                        results[i] = ScanRecord.Bad(PluginLoadError.ScanFailed,
                            $"the scanner {scannerPath} writes report format {format}, this host reads {Format}");
                    return paths.Count;
                }
                else if (root.TryGetProperty("index", out var idx) && idx.TryGetInt32(out var relative))
                {
                    int i = from + relative;
                    if (relative < 0 || i >= paths.Count) continue;
                    results[i] = ScanRecord.Read(root, paths[i]) ?? ScanRecord.Bad(PluginLoadError.ScanFailed,
                        "the scanner's report on this library is unreadable");
                    done = i + 1;
                    current = -1;
                }
            }
        }
        finally
        {
            if (timedOut || !process.HasExited) Kill(process);
            process.WaitForExit();
            try { feeder.Wait(); } catch (AggregateException) { } // the pipe broke when the scanner died: expected
        }

        if (current >= 0 && results[current] is null)
        {
            results[current] = timedOut
                ? ScanRecord.Bad(PluginLoadError.ScanTimedOut,
                    $"loading it did not finish within {timeout.TotalSeconds:0.###} s (a constructor, np_entry or init that never returns); the scanner was killed")
                : exitMarker
                    ? ScanRecord.Bad(PluginLoadError.ScanExited,
                        $"it called exit() while being loaded (the scanner ended with status {process.ExitCode}); in-process it would end the host")
                    : ScanRecord.Bad(PluginLoadError.ScanCrashed, Ended(process.ExitCode));
            return current + 1;
        }
        return done;
    }

    private static Task FeedPaths(Process process, IReadOnlyList<string> paths, int from) => Task.Run(() =>
    {
        // NUL-terminated paths, written as the scanner reads them: it starts scanning the first while the rest flow.
        var stdin = process.StandardInput.BaseStream;
        try
        {
            for (int i = from; i < paths.Count; i++)
            {
                stdin.Write(Encoding.UTF8.GetBytes(paths[i]));
                stdin.WriteByte(0);
            }
            stdin.Flush();
        }
        catch (IOException)
        {
            // The scanner died (a library crashed it): the remaining paths go to the next scanner.
        }
        finally
        {
            try { stdin.Dispose(); } catch (IOException) { }
        }
    });

    /// <summary>The next line; null at the end of the stream; "" when none came within the deadline (report lines are
    /// never empty).</summary>
    private static string? ReadLine(StreamReader reader, TimeSpan timeout)
    {
        var read = reader.ReadLineAsync();
        if (!read.IsCompleted && !read.Wait(timeout)) return "";
        var line = read.GetAwaiter().GetResult();
        return line is { Length: 0 } ? " " : line;
    }

    private static JsonDocument? TryParse(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>Why the scanner ended while loading a library. .NET reports a child killed by signal n as exit status
    /// 128 + n.</summary>
    private static string Ended(int status) => ProcessSignals.FromExitStatus(status) is { } signal
        ? $"it crashed the scanner while being loaded: killed by {ProcessSignals.Name(signal)} (signal {signal}); in-process it would crash the host"
        : $"the scanner ended with status {status} while loading it";

}
