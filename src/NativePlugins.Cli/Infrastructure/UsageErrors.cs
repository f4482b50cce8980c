using System.Reflection;
using CommandLine;
using CommandLine.Text;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// Turns CommandLineParser's errors into messages that name what is wrong the way the help names it (<c>--batch-size</c>,
/// <c>&lt;file&gt;</c>), and finds "did you mean" candidates for a mistyped verb or option.
/// </summary>
public static class UsageErrors
{
    /// <summary>One line for <paramref name="error"/>; <paramref name="options"/> is the verb's options type (null
    /// when no verb was recognised), read for value names, option names and value types.</summary>
    public static string Describe(Error error, Type? options) => error switch
    {
        MissingRequiredOptionError { NameInfo: var n } when n.NameText.Length == 0 => MissingValues(options),
        MissingRequiredOptionError e => $"missing required option {Dashed(e.NameInfo)}",
        MissingValueOptionError e => $"option {Dashed(e.NameInfo)} needs a value",
        UnknownOptionError e => UnknownOption(e.Token, options),
        BadFormatConversionError e => $"invalid value for {Name(e.NameInfo)}{Expected(e.NameInfo, options)}",
        SequenceOutOfRangeError e => $"wrong number of values for {Name(e.NameInfo)}",
        RepeatedOptionError e => $"option {Dashed(e.NameInfo)} is given more than once",
        BadFormatTokenError e => $"malformed argument '{e.Token}'",
        // Anything this tool does not use (option groups, exclusive sets): the parser's own sentence.
        _ => SentenceBuilder.Create().FormatError(error),
    };

    /// <summary>The option <paramref name="lastArgument"/> names when it is an option of <paramref name="options"/>
    /// that takes a value but ends the command line: CommandLineParser then leaves the option unset without an error
    /// (<c>nplug check lib.so --junit</c> wrote no report and passed), so nplug reports it itself.</summary>
    public static string? DanglingOption(string lastArgument, Type options)
    {
        if (!lastArgument.StartsWith('-') || lastArgument.Contains('=') || lastArgument.Length < 2) return null;
        var name = lastArgument.TrimStart('-');
        bool isLong = lastArgument.StartsWith("--", StringComparison.Ordinal);
        var property = options.GetProperties().FirstOrDefault(p => p.GetCustomAttribute<OptionAttribute>() is { } o &&
            (isLong ? o.LongName == name : o.ShortName == name));
        if (property is null) return null;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type == typeof(bool) ? null : lastArgument;
    }

    /// <summary>The candidates closest to <paramref name="typed"/> by edit distance (an adjacent swap counts as one
    /// edit; case and leading dashes are ignored), or none when even the closest is too far to be a typo: at most one
    /// edit for short words, two from seven letters, and fewer edits than the word has letters (so "-z" is not
    /// "-p"). More than three equally close candidates are a guess, not a suggestion: none then either.</summary>
    public static IReadOnlyList<string> Closest(string typed, IEnumerable<string> candidates)
    {
        var word = typed.TrimStart('-').ToLowerInvariant();
        int limit = Math.Min(word.Length >= 7 ? 2 : 1, word.Length - 1);
        var scored = candidates.Distinct().Select(c => (c, d: Distance(word, c.TrimStart('-').ToLowerInvariant())))
            .Where(x => x.d <= limit).ToList();
        if (scored.Count == 0) return [];
        var best = scored.Min(x => x.d);
        var closest = scored.Where(x => x.d == best).Select(x => x.c).ToList();
        return closest.Count <= 3 ? closest : [];
    }

    /// <summary>'a', 'a' or 'b', 'a', 'b' or 'c'.</summary>
    public static string Alternatives(IReadOnlyList<string> names) =>
        names.Count == 1 ? $"'{names[0]}'"
        : string.Join(", ", names.Take(names.Count - 1).Select(n => $"'{n}'")) + $" or '{names[^1]}'";

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>The parser reports a missing positional value without its name: name the verb's required values
    /// as the help names them (every verb has at most one today, so that is the missing one).</summary>
    private static string MissingValues(Type? options)
    {
        var required = Values(options).Where(v => v.Attribute.Required).Select(v => $"<{v.Name}>").ToList();
        return required.Count switch
        {
            0 => "a required argument is missing",
            1 => $"missing argument {required[0]}",
            _ => $"missing argument(s): {string.Join(" ", required)} are required",
        };
    }

    private static string UnknownOption(string token, Type? options)
    {
        var typed = token.Length == 1 ? "-" + token : "--" + token;
        var names = Options(options).SelectMany(o => new[] { o.LongName.Length > 0 ? "--" + o.LongName : null,
            o.ShortName.Length > 0 ? "-" + o.ShortName : null }).OfType<string>().Append("--help").Append("--version");
        var close = Closest(typed, names);
        return close.Count > 0 ? $"unknown option '{typed}'; did you mean {Alternatives(close)}?" : $"unknown option '{typed}'";
    }

    /// <summary>" (expected a whole number)" from the property type behind the option, or nothing.</summary>
    private static string Expected(NameInfo name, Type? options)
    {
        var property = options?.GetProperties().FirstOrDefault(p =>
            p.GetCustomAttribute<OptionAttribute>() is { } o && (o.LongName == name.LongName || (o.ShortName.Length > 0 && o.ShortName == name.ShortName)));
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            null => "",
            _ when type == typeof(int) || type == typeof(long) => " (expected a whole number)",
            _ when type == typeof(double) => " (expected a number)",
            { IsEnum: true } => $" (expected one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))})",
            _ => "",
        };
    }

    private static string Dashed(NameInfo n) => n.LongName.Length > 0 ? "--" + n.LongName : "-" + n.ShortName;

    private static string Name(NameInfo n) => n.NameText.Length == 0 ? "an argument" : Dashed(n);

    private static IEnumerable<OptionAttribute> Options(Type? options) =>
        options?.GetProperties().Select(p => p.GetCustomAttribute<OptionAttribute>()).OfType<OptionAttribute>().Where(o => !o.Hidden) ?? [];

    private static IEnumerable<(ValueAttribute Attribute, string Name)> Values(Type? options) =>
        options?.GetProperties().Select(p => (Attribute: p.GetCustomAttribute<ValueAttribute>(), p.Name))
            .Where(x => x.Attribute is not null).OrderBy(x => x.Attribute!.Index)
            .Select(x => (x.Attribute!, string.IsNullOrEmpty(x.Attribute!.MetaName) ? x.Name.ToLowerInvariant() : x.Attribute.MetaName)) ?? [];
}
