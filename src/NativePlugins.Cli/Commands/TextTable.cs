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

    private void Line(TextWriter w, string indent, string[] cells, int[] widths)
    {
        w.Write(indent);
        for (int i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            var cell = _rightAligned.Contains(i) ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]);
            w.Write(cell);
            if (!last) w.Write("  ");
        }
        w.WriteLine();
    }
}
