using System.Text;
using System.Text.RegularExpressions;
using NativePlugins.PluginSdk;

namespace NativePlugins.Plugins.Regex;

/// <summary>
/// Keeps the records that match <c>pattern</c> (or, with <c>invert=true</c>, those that do not); with <c>replace</c>
/// every record is emitted with each match replaced (.NET substitutions: <c>$1</c>, <c>${name}</c>).
/// Config: <c>pattern=REGEX;replace=TEXT;invert=BOOL;ignore_case=BOOL</c>. An invalid pattern is NP_ERR_CONFIG with
/// the regex parser's message; a record that is not UTF-8 is NP_ERR_INPUT.
/// </summary>
[NativePlugin("org.nativeplugins.cs.regex", Name = "Regex filter", Version = "1.0.0",
    Description = "Keeps records matching a regular expression, or replaces the matches", Vendor = "NativePlugins")]
public sealed class RegexFilter : TransformPlugin
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly System.Text.RegularExpressions.Regex _regex;
    private readonly string? _replacement;
    private readonly bool _invert;
    private char[] _chars = new char[256];

    /// <summary>The options, declared once: the SDK checks the config against them before the constructor runs.</summary>
    public static ConfigSchema ConfigSchema { get; } = new ConfigSchema()
        .String("pattern", required: true, nonEmpty: true)
        .String("replace")
        .Bool("invert")
        .Bool("ignore_case");

    public RegexFilter(PluginConfig config)
    {
        string pattern = config.GetRequiredString("pattern");
        _replacement = config.GetString("replace");
        _invert = config.GetBoolean("invert", false);
        var options = RegexOptions.CultureInvariant | (config.GetBoolean("ignore_case", false) ? RegexOptions.IgnoreCase : 0);
        if (_invert && _replacement is not null)
            throw PluginException.Config("'invert' and 'replace' cannot be combined");
        try
        {
            _regex = new System.Text.RegularExpressions.Regex(pattern, options, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw PluginException.Config($"invalid pattern '{pattern}': {e.Message}");
        }
    }

    public override void Process(RecordBatch batch, Emitter output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            ReadOnlySpan<byte> record = batch[i];
            ReadOnlySpan<char> text = Decode(record, i);
            if (_replacement is not null)
                output.EmitUtf8(_regex.Replace(text.ToString(), _replacement));
            else if (_regex.IsMatch(text) != _invert)
                output.Emit(record); // the original bytes: no re-encoding
        }
    }

    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> record, int index)
    {
        if (_chars.Length < record.Length)
            _chars = new char[Math.Max(record.Length, _chars.Length * 2)];
        try
        {
            int length = s_strictUtf8.GetChars(record, _chars);
            return _chars.AsSpan(0, length);
        }
        catch (DecoderFallbackException)
        {
            throw PluginException.Input($"record {index} is not valid UTF-8");
        }
    }
}
