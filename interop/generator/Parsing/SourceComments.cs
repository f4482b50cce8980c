// Finds the comment that documents a declaration by reading the header text: the comment block directly above it
// (nothing but the comment on its lines) and/or the comment trailing on its last line. libclang attaches only
// `/** */` comments; the header documents most fields with plain `/* */` comments, and the `@since` check needs
// to know where every comment came from, so the generator reads them itself.
using System.Text;
using System.Text.RegularExpressions;

namespace NativePlugins.Generator.Parsing;

/// <summary>A comment attached to a declaration: its text without markers, and the lines it spans.</summary>
internal sealed record AttachedComment(string File, int FirstLine, int LastLine, string Text);

internal sealed partial class SourceComments
{
    private readonly Dictionary<string, string[]> _files = new(StringComparer.Ordinal);

    public string[] Lines(string file)
    {
        if (!_files.TryGetValue(file, out var lines))
        {
            lines = File.ReadAllText(file).Replace("\r\n", "\n").Split('\n');
            _files[file] = lines;
        }
        return lines;
    }

    /// <summary>The block comment ending on the line right above <paramref name="line"/> (1-based), if it is alone
    /// on its lines; a trailing comment of the previous declaration does not count.</summary>
    public AttachedComment? Above(string file, int line)
    {
        var lines = Lines(file);
        int last = line - 2; // index of the line above
        if (last < 0 || !lines[last].TrimEnd().EndsWith("*/", StringComparison.Ordinal)) return null;
        int first = last;
        while (first >= 0 && !lines[first].Contains("/*", StringComparison.Ordinal)) first--;
        if (first < 0 || !lines[first].TrimStart().StartsWith("/*", StringComparison.Ordinal)) return null;
        var raw = string.Join("\n", lines[first..(last + 1)]);
        return new AttachedComment(file, first + 1, last + 1, Clean(raw));
    }

    /// <summary>A comment that starts on <paramref name="line"/> after <paramref name="column"/> (1-based), e.g.
    /// `uint32_t threading; /* NP_THREADING_* */`, possibly continuing on following lines.</summary>
    public AttachedComment? Trailing(string file, int line, int column)
    {
        var lines = Lines(file);
        string text = lines[line - 1];
        int start = text.IndexOf("/*", Math.Min(Math.Max(column - 1, 0), text.Length), StringComparison.Ordinal);
        if (start < 0) return null;
        var sb = new StringBuilder(text[start..]);
        int end = line;
        while (!sb.ToString().Contains("*/", StringComparison.Ordinal) && end < lines.Length)
        {
            sb.Append('\n').Append(lines[end]);
            end++;
        }
        return new AttachedComment(file, line, end, Clean(sb.ToString()));
    }

    /// <summary>Both comments of a declaration joined: the block above, then the trailing one.</summary>
    public static AttachedComment? Join(AttachedComment? above, AttachedComment? trailing) =>
        (above, trailing) switch
        {
            (null, null) => null,
            (not null, null) => above,
            (null, not null) => trailing,
            _ => new AttachedComment(above!.File, above.FirstLine, trailing!.LastLine, above.Text + "\n" + trailing.Text),
        };

    /// <summary>Strips comment markers and leading asterisks; keeps line breaks.</summary>
    private static string Clean(string raw)
    {
        int open = raw.IndexOf("/*", StringComparison.Ordinal);
        int close = raw.LastIndexOf("*/", StringComparison.Ordinal);
        string body = raw[(open + 2)..(close >= open + 2 ? close : raw.Length)];
        body = body.TrimStart('*', '<');
        var lines = body.Split('\n').Select(l => LeadingStar().Replace(l, "").TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Trim().Length == 0) lines.RemoveAt(0);
        if (lines.Count > 0) lines[0] = lines[0].TrimStart(); // text right after the opening marker
        while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        // Re-indent: drop the common leading whitespace.
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"^\s*\*(?!/) ?")]
    private static partial Regex LeadingStar();
}
