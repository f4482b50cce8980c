using NativePlugins.Hosting;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// Splits a byte stream into lines (records) without a per-line allocation: reads into a reusable buffer and
/// appends each complete line to a <see cref="RecordBuffer"/>. A trailing '\r' is removed (CRLF input); a last
/// line without a newline is still a record.
/// </summary>
public sealed class LineReader(Stream input, int bufferSize = 64 * 1024)
{
    private byte[] _buffer = new byte[bufferSize];
    private int _start, _end;
    private bool _eof;

    /// <summary>Total lines read.</summary>
    public long Lines { get; private set; }

    /// <summary>Total bytes read.</summary>
    public long Bytes { get; private set; }

    /// <summary>Appends up to <paramref name="max"/> lines to <paramref name="batch"/>. Returns false at the end of
    /// input when nothing was appended.</summary>
    public bool ReadBatch(RecordBuffer batch, int max)
    {
        int added = 0;
        while (added < max)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            int nl = span.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                Add(batch, span[..nl]);
                _start += nl + 1;
                added++;
                continue;
            }
            if (_eof)
            {
                if (span.Length > 0)
                {
                    Add(batch, span);
                    _start = _end;
                    added++;
                }
                break;
            }
            Fill();
        }
        return added > 0;
    }

    private void Add(RecordBuffer batch, ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        batch.Append(line);
        Lines++;
    }

    private void Fill()
    {
        // Move the partial line to the front; grow when one line fills the whole buffer.
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = input.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
        Bytes += n;
    }
}
