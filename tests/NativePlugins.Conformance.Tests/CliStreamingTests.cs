using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Conformance.Tests;

/// <summary><c>nplug run</c> over a pipe: every record the input allows is written before nplug waits for more input,
/// whatever the batch size. The only timing in these tests is "the output arrives before we write more"; the
/// timeout is a generous bound for a loaded machine, not a measurement.</summary>
public class CliStreamingTests
{
    private const string Upper = "org.nativeplugins.c.upper";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string[] RunArgs(params string[] more) =>
        ["run", "-p", Upper, "-q", "--plugin-dir", RepoLayout.PluginDir, "--no-default-path", .. more];

    /// <summary>The task's result, or a failure naming what did not arrive in time.</summary>
    private static async Task<T> Within<T>(Task<T> task, string what, StringWriter? stderr = null)
    {
        try
        {
            return await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            // stderr as it is now, after the wait: a plugin that failed to load says so there.
            throw new TimeoutException($"waited {Timeout.TotalSeconds} s for {what} in vain{(stderr is null ? "" : "; stderr: " + stderr)}");
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1024")] // a partial batch: one line is all there is until we write the next
    public async Task Run_over_a_pipe_writes_each_record_before_the_next_line_arrives(string batchSize)
    {
        using var stdinWriter = new AnonymousPipeServerStream(PipeDirection.Out);
        using var stdin = new AnonymousPipeClientStream(PipeDirection.In, stdinWriter.ClientSafePipeHandle);
        using var stdoutReader = new AnonymousPipeServerStream(PipeDirection.In);
        using var stdout = new AnonymousPipeClientStream(PipeDirection.Out, stdoutReader.ClientSafePipeHandle);
        var stderr = new StringWriter();
        var run = Task.Factory.StartNew(() =>
        {
            try
            {
                using var console = new CliConsole(stdin, stdout, stderr);
                return NplugCli.Run(RunArgs("--batch-size", batchSize), console);
            }
            finally
            {
                stdout.Dispose(); // end of output for the reader below
            }
        }, TaskCreationOptions.LongRunning);
        var lines = new StreamReader(stdoutReader, Encoding.UTF8);
        try
        {
            stdinWriter.Write("a\n"u8);
            stdinWriter.Flush();
            Assert.Equal("A", await Within(Task.Run(lines.ReadLine), "the first record", stderr));

            stdinWriter.Write("b\n"u8);
            stdinWriter.Dispose(); // end of input
            Assert.Equal("B\n", await Within(Task.Run(lines.ReadToEnd), "the second record", stderr));
            var exit = await Within(run, "nplug run to end at the end of its input", stderr);
            Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        }
        finally
        {
            stdinWriter.Dispose(); // a failed assertion must not leave nplug waiting for input
        }
    }

    [Fact]
    public async Task The_real_executable_streams_a_slow_pipe()
    {
        // As `(echo a; sleep 3; echo b) | nplug run -p upper --batch-size 1`: stdin and stdout are the process's pipes.
        var nplug = Path.Combine(AppContext.BaseDirectory, "nplug.dll");
        Assert.True(File.Exists(nplug), nplug);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])[nplug, .. RunArgs("--batch-size", "1")]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardInput.Write("a\n");
            p.StandardInput.Flush();
            Assert.Equal("A", await Within(p.StandardOutput.ReadLineAsync(), "the first record"));

            p.StandardInput.Write("b\n");
            p.StandardInput.Close();
            Assert.Equal("B\n", await Within(p.StandardOutput.ReadToEndAsync(), "the second record"));
            await Within(p.WaitForExitAsync().ContinueWith(_ => 0), "nplug to exit at the end of its input");
            Assert.True(p.ExitCode == ExitCodes.Ok, await stderr);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task The_real_executable_stops_when_the_reader_of_its_output_is_gone()
    {
        // As `yes | nplug run -p upper | head -1`: endless input, a reader that leaves after one line. nplug must end
        // (quietly, exit 0) instead of upper-casing into a closed pipe for ever.
        var nplug = Path.Combine(AppContext.BaseDirectory, "nplug.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])[nplug, .. RunArgs()]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var feed = Task.Run(() =>
            {
                var chunk = string.Concat(Enumerable.Repeat("y\n", 4096));
                try
                {
                    while (!p.HasExited) p.StandardInput.Write(chunk);
                }
                catch (IOException)
                {
                    // nplug has exited and closed its stdin: the feed is done.
                }
                return 0;
            });
            Assert.Equal("Y", await Within(p.StandardOutput.ReadLineAsync(), "the first record"));
            p.StandardOutput.Close();
            await Within(p.WaitForExitAsync().ContinueWith(_ => 0), "nplug to exit after its reader left");
            Assert.True(p.ExitCode == ExitCodes.Ok, await stderr);
            Assert.DoesNotContain("error", await stderr);
            await Within(feed, "the end of the input feed");
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}
