namespace NativePlugins.Cli.Commands;

/// <summary>A plain, aligned text table (no colours: output stays pipeable and diffable).</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly HashSet<int> _rightAligned = [];

    public TextTable AlignRight(params int[] columns)
    {
        foreach (var c in columns) _rightAligned.Add(c);
        return this;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter w, string indent = "")
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        Line(w, indent, headers, widths);
        foreach (var r in _rows) Line(w, indent, r, widths);
    }

    /// <summary>One row; never ends in spaces, even when its last cells are empty (pipes, files and logs keep
    /// trailing padding that a terminal hides).</summary>
    private void Line(TextWriter w, string indent, string[] cells, int[] widths)
    {
        var line = new System.Text.StringBuilder(indent);
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) line.Append("  ");
            line.Append(_rightAligned.Contains(i) ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        w.WriteLine(line.ToString().TrimEnd(' '));
    }
}
