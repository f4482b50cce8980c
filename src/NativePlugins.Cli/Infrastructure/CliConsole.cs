using System.Text;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>The streams a command uses; the process's own by default, memory streams in tests.</summary>
public sealed class CliConsole : IDisposable
{
    public CliConsole(Stream stdin, Stream stdout, TextWriter stderr)
    {
        StdIn = stdin;
        StdOut = stdout;
        Error = stderr;
        Out = new StreamWriter(stdout, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { AutoFlush = false };
    }

    /// <summary>The process's console.</summary>
    public static CliConsole System() =>
        new(Console.OpenStandardInput(), OpenStandardOutput(), Console.Error);

    /// <summary>
    /// stdout as a plain file stream on Unix. .NET's console stream silently drops writes to a pipe whose reader has
    /// gone (EPIPE), so <c>yes | nplug run -p x | head -1</c> would never end; a file stream reports the broken pipe
    /// as an <see cref="IOException"/> and nplug stops (<see cref="IsBrokenPipe"/>). Windows, or a descriptor that
    /// cannot be wrapped (stdout closed), keeps the console stream.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // fall through
            }
        }
        return Console.OpenStandardOutput();
    }

    /// <summary>Whether <paramref name="e"/> is a write to a pipe nobody reads any more (EPIPE: errno 32 on Linux
    /// and macOS): the consumer has what it wanted, which is not an error of nplug.</summary>
    public static bool IsBrokenPipe(IOException e) => !OperatingSystem.IsWindows() && e.HResult == 32;

    /// <summary>Raw input bytes (records for run).</summary>
    public Stream StdIn { get; }

    /// <summary>Raw output bytes (records from run).</summary>
    public Stream StdOut { get; }

    /// <summary>Text output (tables, JSON).</summary>
    public TextWriter Out { get; }

    /// <summary>Diagnostics: errors, reports, plugin log lines.</summary>
    public TextWriter Error { get; }

    public void Dispose()
    {
        try
        {
            Out.Flush();
            StdOut.Flush();
        }
        catch (IOException e) when (IsBrokenPipe(e))
        {
            // Already reported (or deliberately quiet): see NplugCli.
        }
        Error.Flush();
    }
}
