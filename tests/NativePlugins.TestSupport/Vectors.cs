using System.Globalization;
using System.Text;

namespace NativePlugins.TestSupport;

/// <summary>One line of a vector file: its kind (first field) and its other fields, unescaped.</summary>
/// <param name="File">The file name, for messages.</param>
/// <param name="Line">The 1-based line number, for messages.</param>
/// <param name="Kind">The first field (valid, invalid, schema, case, ...).</param>
/// <param name="Fields">The fields after the kind, as bytes (a field may hold any byte through \xHH).</param>
public sealed record VectorLine(string File, int Line, string Kind, IReadOnlyList<byte[]> Fields)
{
    /// <summary>Field <paramref name="index"/> as UTF-8 text.</summary>
    public string Text(int index) => Encoding.UTF8.GetString(Fields[index]);

    /// <summary>Where the line is, and what it says, for assertion messages: <c>config.tsv:12: pattern=x</c>.</summary>
    public override string ToString() =>
        $"{File}:{Line}: {Kind}\t{string.Join('\t', Fields.Select(f => Escape(Encoding.UTF8.GetString(f))))}";

    private static string Escape(string s) =>
        s.Length == 0 ? "\"\"" : s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");
}

/// <summary>
/// The reader of the shared test vectors (interop/vectors/README.md, section Format): one record a line, TAB-separated
/// fields, <c>#</c> comments, <c>""</c> for the empty field, escapes <c>\t \n \r \\ \xHH</c>. Any other escape is an
/// error of the file, so that a typo cannot silently become a vector. Every language has exactly one such reader.
/// </summary>
public static class Vectors
{
    /// <summary>Every record of <paramref name="fileName"/> in interop/vectors, in file order.</summary>
    public static IReadOnlyList<VectorLine> Read(string fileName)
    {
        string path = RepoLayout.Existing(Path.Combine(RepoLayout.VectorsDir, fileName));
        var lines = new List<VectorLine>();
        int number = 0;
        foreach (string raw in File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            number++;
            if (raw.Length == 0 || raw[0] == '#')
                continue;
            string[] parts = raw.Split('\t');
            var fields = new byte[parts.Length - 1][];
            for (int i = 1; i < parts.Length; i++)
                fields[i - 1] = Unescape(parts[i], fileName, number);
            lines.Add(new VectorLine(fileName, number, parts[0], fields));
        }
        if (lines.Count == 0)
            throw new InvalidDataException($"{path}: no vectors");
        return lines;
    }

    /// <summary>The valid/invalid lines of an id or version file (plugin-ids.tsv, interface-ids.tsv, versions.tsv).</summary>
    public static IReadOnlyList<(bool Valid, byte[] Text, VectorLine Line)> Validity(string fileName) =>
        Read(fileName).Select(l => l.Kind switch
        {
            "valid" => (true, l.Fields.Single(), l),
            "invalid" => (false, l.Fields.Single(), l),
            _ => throw new InvalidDataException($"{l}: expected 'valid' or 'invalid'"),
        }).ToList();

    /// <summary>One field, unescaped to bytes.</summary>
    public static byte[] Unescape(string field, string fileName, int line)
    {
        if (field == "\"\"")
            return [];
        var bytes = new List<byte>(field.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < field.Length)
                {
                    int n = Encoding.UTF8.GetBytes(field.AsSpan(i, 2), utf8);
                    bytes.AddRange(utf8[..n].ToArray());
                    i++;
                    continue;
                }
                int count = Encoding.UTF8.GetBytes([c], utf8);
                bytes.AddRange(utf8[..count].ToArray());
                continue;
            }
            char next = i + 1 < field.Length ? field[i + 1] : '\0';
            switch (next)
            {
                case 't': bytes.Add((byte)'\t'); i++; break;
                case 'n': bytes.Add((byte)'\n'); i++; break;
                case 'r': bytes.Add((byte)'\r'); i++; break;
                case '\\': bytes.Add((byte)'\\'); i++; break;
                case 'x' when i + 3 < field.Length && byte.TryParse(field.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier,
                    CultureInfo.InvariantCulture, out byte b):
                    bytes.Add(b);
                    i += 3;
                    break;
                default:
                    throw new InvalidDataException($"{fileName}:{line}: unknown escape '\\{next}' in field '{field}'");
            }
        }
        return bytes.ToArray();
    }
}
