using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary><c>nplug run --watch</c>, in-process: the input file is run, run again after a reload, and each reload
/// or refused reload is one line on stderr.</summary>
[Collection(ReloadCollection.Name)]
public class WatchCliTests
{
    [Fact]
    public void Run_watch_reruns_the_input_after_a_reload_and_prints_one_line_per_reload_or_refused_reload()
    {
        using var dir = new TempDirectory("nplug-watch-cli");
        var library = dir.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so"), "libnp_fixture_reload.so");
        var input = dir.File("in.txt");
        File.WriteAllText(input, "a\nb\n");
        var stdout = new ObservedText();
        var stderr = new ObservedText();
        int exit = -1;
        var nplug = new Thread(() =>
        {
            using var stdin = new MemoryStream();
            using var console = new CliConsole(stdin, stdout.Stream, stderr.Writer);
            exit = NplugCli.Run(["run", "--watch", "--exit-after-reloads", "2", "--quiet", "--input", input,
                "--pipeline", ReloadFixture.PluginId, "--plugin-dir", dir.Path, "--no-default-path"], console);
        });
        nplug.Start();

        Assert.True(stdout.WaitFor("v1:a\nv1:b\n"), $"no first run: {stdout} / {stderr}");
        File.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_init_fails.so"), library, overwrite: true);
        Assert.True(stderr.WaitFor("nplug: reload failed"), $"no notice of the refused reload: {stderr}");
        File.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_v2.so"), library, overwrite: true);
        Assert.True(nplug.Join(TimeSpan.FromSeconds(60)), $"nplug did not exit: {stdout} / {stderr}");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("v1:a\nv1:b\nv2:a\nv2:b\n", stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"nplug: reload failed, {ReloadFixture.PluginId} 1.0.0 keeps running: {library}", lines[0]);
        Assert.Contains("InitFailed", lines[0]);
        Assert.Equal($"nplug: reloaded {library}: {ReloadFixture.PluginId} 1.0.0 -> 2.0.0", lines[1]);
    }

    [Fact]
    public void Exit_after_reloads_needs_watch()
    {
        using var console = new CliConsole(new MemoryStream(), new MemoryStream(), new StringWriter());
        Assert.Equal(ExitCodes.Usage, NplugCli.Run(["run", "--exit-after-reloads", "1", "--pipeline", "x"], console));
    }

    /// <summary>Text written by another thread (nplug's streams), and a wait for what it should contain.</summary>
    private sealed class ObservedText
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public ObservedText()
        {
            Stream = new Sink(this);
            Writer = new LineWriter(this);
        }

        public Stream Stream { get; }
        public TextWriter Writer { get; }

        public bool WaitFor(string part)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (ToString().Contains(part, StringComparison.Ordinal)) return true;
                Thread.Sleep(20);
            }
            return false;
        }

        private void Append(string s)
        {
            lock (_lock) _text.Append(s);
        }

        public override string ToString()
        {
            lock (_lock) return _text.ToString();
        }

        private sealed class Sink(ObservedText owner) : Stream
        {
            public override void Write(byte[] buffer, int offset, int count) => owner.Append(Encoding.UTF8.GetString(buffer, offset, count));
            public override void Write(ReadOnlySpan<byte> buffer) => owner.Append(Encoding.UTF8.GetString(buffer));
            public override void Flush() { }
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }

        private sealed class LineWriter(ObservedText owner) : TextWriter
        {
            public override Encoding Encoding => Encoding.UTF8;
            public override void Write(char value) => owner.Append(value.ToString());
            public override void Write(string? value) => owner.Append(value ?? "");
            public override void WriteLine(string? value) => owner.Append((value ?? "") + "\n");
        }
    }
}
