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
        new(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);

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
        Out.Flush();
        StdOut.Flush();
        Error.Flush();
    }
}
