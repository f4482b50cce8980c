using NativePlugins.Cli.Commands;

namespace NativePlugins.Host.Tests;

/// <summary>The CLI's plain tables: aligned columns, and no trailing spaces even when the last cells are empty.</summary>
public class TextTableTests
{
    [Fact]
    public void Rows_are_aligned_and_never_end_in_spaces()
    {
        var table = new TextTable("ID", "N", "NOTE").AlignRight(1);
        table.Add("a", "1", "");
        table.Add("longer", "22", "x");
        table.Add("", "", "");
        var w = new StringWriter { NewLine = "\n" };
        table.Write(w, "  ");
        Assert.Equal("  ID       N  NOTE\n  a        1\n  longer  22  x\n\n", w.ToString());
    }
}
