using NativePlugins.Hosting;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// Splits a byte stream into lines (records) without a per-line allocation: reads into a reusable buffer and
/// appends each complete line to a <see cref="RecordBuffer"/>. A trailing '\r' is removed (CRLF input); a last
/// line without a newline is still a record.
/// </summary>
/// <remarks>
/// Interactive input (a pipe fed slowly, a terminal): a read of a pipe or terminal returns what has arrived, so a
/// read that returned less than it asked for means the input was drained at that moment and the next read would
/// most likely block. A batch that already holds records is then returned short instead of waiting for more lines,
/// and <see cref="Drained"/> tells the caller to flush its output before it reads again. A regular file returns
/// short reads only at its end, so its batches stay full (throughput) and nothing changes for it.
/// </remarks>
public sealed class LineReader(Stream input, int bufferSize = 64 * 1024)
{
    private byte[] _buffer = new byte[bufferSize];
    private int _start, _end;
    private bool _eof;
    private bool _lastReadShort;

    /// <summary>Total lines read.</summary>
    public long Lines { get; private set; }

    /// <summary>Total bytes read.</summary>
    public long Bytes { get; private set; }

    /// <summary>True when the buffer holds no complete line and the last read returned less than it asked for (or
    /// the end of input): the next <see cref="ReadBatch"/> would wait for the input, so pending output should be
    /// flushed now.</summary>
    public bool Drained => _eof || (_lastReadShort && _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n') < 0);

    /// <summary>Appends up to <paramref name="max"/> lines to <paramref name="batch"/>: fewer at the end of input, and
    /// fewer when the input is drained for now (see the remarks) and at least one line was appended. Returns false
    /// at the end of input when nothing was appended.</summary>
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
            // Hand over what we have rather than block on a slow pipe with records waiting.
            if (added > 0 && _lastReadShort) break;
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
        int requested = _buffer.Length - _end;
        int n = input.Read(_buffer, _end, requested);
        if (n == 0) _eof = true;
        _lastReadShort = n < requested;
        _end += n;
        Bytes += n;
    }
}
