using System.Text;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// Passes text through to another writer but drops the spaces at the end of every line. Table renderers pad every
/// cell to its column's width, which a terminal does not show but a pipe, a file or a CI log keeps: diffs and
/// <c>grep ' $'</c>-style checks then trip over it. Spaces are held back until the next character shows whether a
/// line end follows; spaces still held at the end are dropped too.
/// </summary>
public sealed class LineEndTrimmingWriter(TextWriter inner) : TextWriter
{
    private int _pendingSpaces;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == ' ')
        {
            _pendingSpaces++;
            return;
        }
        if (value is '\n' or '\r') _pendingSpaces = 0;
        else EmitPending();
        inner.Write(value);
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        // Whole runs at a time: everything up to the last non-space (or line end) goes out in one call.
        while (buffer.Length > 0)
        {
            int nl = buffer.IndexOfAny('\n', '\r');
            var segment = nl < 0 ? buffer : buffer[..nl];
            var content = segment.TrimEnd(' ');
            if (content.Length > 0)
            {
                EmitPending();
                inner.Write(content);
            }
            if (nl < 0)
            {
                _pendingSpaces += segment.Length - content.Length;
                return;
            }
            _pendingSpaces = 0;
            inner.Write(buffer[nl]);
            buffer = buffer[(nl + 1)..];
        }
    }

    public override void WriteLine() => Write(CoreNewLine);

    public override void WriteLine(string? value)
    {
        Write(value);
        WriteLine();
    }

    public override void Flush() => inner.Flush();

    private void EmitPending()
    {
        if (_pendingSpaces == 0) return;
        inner.Write(new string(' ', _pendingSpaces));
        _pendingSpaces = 0;
    }
}
