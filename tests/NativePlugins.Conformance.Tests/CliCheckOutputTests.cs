using System.Text;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Conformance.Tests;

/// <summary>What <c>nplug check</c> writes besides its verdicts: the JUnit file wherever it is asked for, and a table
/// without trailing padding when stdout is not a terminal.</summary>
public class CliCheckOutputTests
{
    private static (int Code, string Out, string Err) Nplug(params string[] args) => InProcessNplug.Run(args);

    [Fact]
    public void Junit_creates_the_folders_of_its_path()
    {
        using var dir = new TempDirectory("nplug-cli-tests");
        var report = Path.Combine(dir.Path, "reports", "nplug", "check.xml");
        var (code, output, err) = Nplug("check", "--in-process", "--check", "P1", "--junit", report, Native.Fixture("libnpfx_ok.so"));
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("<testsuite", File.ReadAllText(report));
    }

    [Fact]
    public void The_check_table_carries_no_trailing_padding_when_piped()
    {
        var (code, output, err) = Nplug("check", "--in-process", "--check", "P1", Native.Fixture("libnpfx_ok.so"));
        Assert.True(code == ExitCodes.Ok, err + output);
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains(lines, l => l.Contains("entry.exported") && l.Contains("pass")); // the table is there
        Assert.All(lines, l => Assert.False(l.EndsWith(' '), $"trailing spaces: '{l}'"));
    }

    [Fact]
    public void Line_end_trimming_keeps_inner_spaces_across_writes()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var w = new LineEndTrimmingWriter(inner) { NewLine = "\n" };
        w.Write("a  b  ");
        w.Write("  ");
        w.WriteLine();
        w.Write(' ');
        w.Write("c\r\n  \n");
        w.Write("d   ");
        w.Write('e');
        w.WriteLine("  ");
        w.Write("tail   ");
        w.Flush();
        Assert.Equal("a  b\n c\r\n\nd   e\ntail", inner.ToString());
    }
}
