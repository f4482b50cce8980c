using System.Globalization;
using System.Text;
using NativePlugins.PluginSdk;

namespace NativePlugins.Plugins.WordFreq;

/// <summary>
/// Counts words over a whole stream and, at flush, emits the <c>top</c> most frequent as <c>word TAB count</c>
/// records (most frequent first, ties in ordinal word order), then starts over. Emits nothing while processing.
/// A word is a run of letters, digits, <c>'</c> or <c>_</c>; invalid UTF-8 is decoded with replacement characters,
/// which split words. Config: <c>top=N</c> (1..100000, default 10), <c>min_length=N</c> (default 1),
/// <c>ignore_case=BOOL</c> (default true: words are lowercased).
/// <para>State hand-over (<c>np.state/1</c>, <see cref="IStatefulTransform"/>): the counts so far travel to the next
/// version on hot reload, as <c>"wf1\n"</c>, the number of words (int32 LE), then per word its UTF-8 length (int32
/// LE), its bytes and its count (int64 LE).</para>
/// </summary>
[NativePlugin("org.nativeplugins.cs.wordfreq", Name = "Word frequencies", Version = "1.0.0",
    Description = "Top-N word counts of a stream, emitted at flush", Vendor = "NativePlugins")]
public sealed class WordFrequency : TransformPlugin, IStatefulTransform
{
    private static ReadOnlySpan<byte> StateFormat => "wf1\n"u8;

    private readonly int _top;
    private readonly int _minLength;
    private readonly bool _ignoreCase;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _chars = new char[1024];
    private char[] _lower = new char[1024];

    /// <summary>The options, declared once: the SDK checks the config against them before the constructor runs.</summary>
    public static ConfigSchema ConfigSchema { get; } = new ConfigSchema()
        .Int("top", 1, 100_000)
        .Int("min_length", 1, 1024)
        .Bool("ignore_case");

    public WordFrequency(PluginConfig config)
    {
        _top = config.GetInt32("top", 10, min: 1, max: 100_000);
        _minLength = config.GetInt32("min_length", 1, min: 1, max: 1024);
        _ignoreCase = config.GetBoolean("ignore_case", true);
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override void Process(RecordBatch batch, Emitter output)
    {
        foreach (ReadOnlySpan<byte> record in batch)
        {
            if (_chars.Length < record.Length)
            {
                _chars = new char[Math.Max(record.Length, _chars.Length * 2)];
                _lower = new char[_chars.Length];
            }
            int length = Encoding.UTF8.GetChars(record, _chars);
            ReadOnlySpan<char> text = _chars.AsSpan(0, length);
            if (_ignoreCase)
            {
                text.ToLowerInvariant(_lower); // same length as the input for the invariant culture
                text = _lower.AsSpan(0, length);
            }
            CountWords(text);
        }
    }

    private void CountWords(ReadOnlySpan<char> text)
    {
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '\'' or '_');
            if (inWord && start < 0)
                start = i;
            else if (!inWord && start >= 0)
            {
                ReadOnlySpan<char> word = text[start..i];
                if (word.Length >= _minLength)
                {
                    // The alternate lookup finds existing words without allocating a string.
                    ref long count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lookup, word, out _);
                    count++;
                }
                start = -1;
            }
        }
    }

    public override void Flush(Emitter output)
    {
        Span<byte> digits = stackalloc byte[24];
        foreach (KeyValuePair<string, long> entry in _counts
                     .OrderByDescending(e => e.Value)
                     .ThenBy(e => e.Key, StringComparer.Ordinal)
                     .Take(_top))
        {
            int wordBytes = Encoding.UTF8.GetByteCount(entry.Key);
            entry.Value.TryFormat(digits, out int digitCount, default, CultureInfo.InvariantCulture);
            Span<byte> record = output.GetRecordBuffer(wordBytes + 1 + digitCount);
            Encoding.UTF8.GetBytes(entry.Key, record);
            record[wordBytes] = (byte)'\t';
            digits[..digitCount].CopyTo(record[(wordBytes + 1)..]);
            output.CommitRecord(wordBytes + 1 + digitCount);
        }
        _counts.Clear(); // back to the just-created state (rule P8)
    }

    /// <summary>np.state/1: the counts so far (see the class remarks for the format).</summary>
    public void SaveState(OutBytes output)
    {
        Span<byte> number = stackalloc byte[8];
        output.Write(StateFormat);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, _counts.Count);
        output.Write(number[..4]);
        foreach (KeyValuePair<string, long> entry in _counts)
        {
            byte[] word = Encoding.UTF8.GetBytes(entry.Key);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, word.Length);
            output.Write(number[..4]);
            output.Write(word);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, entry.Value);
            output.Write(number);
        }
    }

    /// <summary>np.state/1: takes counts <see cref="SaveState"/> wrote; anything else is NP_ERR_INPUT, and the
    /// counts stay as they were (parsed completely before any is taken).</summary>
    public void RestoreState(ReadOnlySpan<byte> state)
    {
        if (!state.StartsWith(StateFormat) || state.Length < StateFormat.Length + 4)
            throw PluginException.Input($"not a word-frequency state ('wf1'): {state.Length} bytes");
        int total = state.Length;
        var rest = state[StateFormat.Length..];
        int count = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(rest);
        if (count < 0) throw Truncated();
        rest = rest[4..];
        var counts = new List<KeyValuePair<string, long>>();
        for (int i = 0; i < count; i++)
        {
            if (rest.Length < 4) throw Truncated();
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(rest);
            if (length < 0 || rest.Length - 4 < (long)length + 8) throw Truncated();
            string word = Encoding.UTF8.GetString(rest.Slice(4, length));
            long n = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(rest[(4 + length)..]);
            counts.Add(new(word, n));
            rest = rest[(4 + length + 8)..];
        }
        if (!rest.IsEmpty) throw Truncated();
        foreach (var (word, n) in counts) _counts[word] = n;

        PluginException Truncated() => PluginException.Input($"a word-frequency state of {total} bytes is truncated or malformed");
    }
}
