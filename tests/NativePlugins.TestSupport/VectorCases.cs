using System.Globalization;

namespace NativePlugins.TestSupport;

/// <summary>One option of a config.tsv schema line: <c>name:type</c> or <c>name:type:argument</c>.</summary>
public sealed record ConfigOptionSpec(string Name, string Type, string Argument)
{
    /// <summary>string: the value must be given.</summary>
    public bool Required => Type == "string" && Argument.Split(',').Contains("required");

    /// <summary>string: the value must not be empty.</summary>
    public bool NonEmpty => Type == "string" && Argument.Split(',').Contains("nonempty");

    /// <summary>int: the least value.</summary>
    public ulong Min => Type == "int" ? ulong.Parse(Argument.Split("..")[0], CultureInfo.InvariantCulture) : 0;

    /// <summary>int: the greatest value.</summary>
    public ulong Max => Type == "int" ? ulong.Parse(Argument.Split("..")[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>choice: the choices in order.</summary>
    public IReadOnlyList<string> Choices => Type == "choice" ? Argument.Split('|') : [];

    internal static ConfigOptionSpec Parse(string text, VectorLine line)
    {
        string[] parts = text.Split(':', 3);
        if (parts.Length < 2 || parts[1] is not ("string" or "bool" or "int" or "choice"))
            throw new InvalidDataException($"{line}: option '{text}' is not name:type[:argument]");
        return new ConfigOptionSpec(parts[0], parts[1], parts.Length == 3 ? parts[2] : "");
    }
}

/// <summary>One config.tsv case: the config text and either the parsed keys (in schema order) or the exact message.</summary>
public sealed record ConfigCase(VectorLine Line, byte[] Config, IReadOnlyList<KeyValuePair<string, string>>? Parsed, string? Error)
{
    /// <summary>The case expects success.</summary>
    public bool Ok => Parsed is not null;

    /// <inheritdoc/>
    public override string ToString() => Line.ToString();
}

/// <summary>A schema of config.tsv and the cases that use it.</summary>
public sealed record ConfigSection(VectorLine SchemaLine, IReadOnlyList<ConfigOptionSpec> Schema, IReadOnlyList<ConfigCase> Cases);

/// <summary>One negotiation.tsv case (the library side of np_entry). Numbers may be symbols: see <see cref="VectorNumbers"/>.</summary>
public sealed record NegotiationCase(VectorLine Line, string StructSize, string AbiMajor, string AbiMinor, string Status,
    string Agreed, bool VersionWritten)
{
    /// <inheritdoc/>
    public override string ToString() => Line.ToString();
}

/// <summary>One host-negotiation.tsv case: what a host that offered 1.HostMinor gets back, and what it must do.</summary>
/// <param name="LibraryMajor">null: the library left the field unwritten.</param>
/// <param name="LibraryMinor">null: the library left the field unwritten.</param>
/// <param name="AcceptedMinor">The minor the host loads the library at, or null when it refuses.</param>
/// <param name="Refusal">"version" or "entry" when the host refuses.</param>
public sealed record HostNegotiationCase(VectorLine Line, uint HostMinor, int Status, uint Agreed, uint? LibraryMajor,
    uint? LibraryMinor, uint? AcceptedMinor, string? Refusal)
{
    /// <inheritdoc/>
    public override string ToString() => Line.ToString();
}

/// <summary>The typed views of the vector files.</summary>
public static class VectorCases
{
    /// <summary>config.tsv, section by section.</summary>
    public static IReadOnlyList<ConfigSection> Config()
    {
        var sections = new List<ConfigSection>();
        VectorLine? schemaLine = null;
        List<ConfigOptionSpec> schema = [];
        List<ConfigCase> cases = [];
        foreach (VectorLine line in Vectors.Read("config.tsv"))
        {
            switch (line.Kind)
            {
                case "schema":
                    if (schemaLine is not null)
                        sections.Add(new ConfigSection(schemaLine, schema, cases));
                    schemaLine = line;
                    schema = line.Fields.Select((_, i) => ConfigOptionSpec.Parse(line.Text(i), line)).ToList();
                    cases = [];
                    break;
                case "case" when schemaLine is null:
                    throw new InvalidDataException($"{line}: a case before any schema");
                case "case" when line.Fields.Count >= 2 && line.Text(1) == "ok":
                    cases.Add(new ConfigCase(line, line.Fields[0], line.Fields.Skip(2).Select(f => SplitKeyValue(f, line)).ToList(), null));
                    break;
                case "case" when line.Fields.Count == 3 && line.Text(1) == "error":
                    cases.Add(new ConfigCase(line, line.Fields[0], null, line.Text(2)));
                    break;
                default:
                    throw new InvalidDataException($"{line}: expected 'schema ...', 'case CONFIG ok ...' or 'case CONFIG error MESSAGE'");
            }
        }
        if (schemaLine is not null)
            sections.Add(new ConfigSection(schemaLine, schema, cases));
        return sections;
    }

    /// <summary>Every config case with its schema, for an xunit theory.</summary>
    public static IEnumerable<(ConfigSection Section, ConfigCase Case)> ConfigCasesWithSchema() =>
        Config().SelectMany(s => s.Cases.Select(c => (s, c)));

    /// <summary>negotiation.tsv.</summary>
    public static IReadOnlyList<NegotiationCase> Negotiation() =>
        Vectors.Read("negotiation.tsv").Select(l => l.Kind == "case" && l.Fields.Count == 6
            ? new NegotiationCase(l, l.Text(0), l.Text(1), l.Text(2), l.Text(3), l.Text(4), l.Text(5) switch
            {
                "yes" => true,
                "no" => false,
                _ => throw new InvalidDataException($"{l}: version_written is yes or no"),
            })
            : throw new InvalidDataException($"{l}: expected 6 fields after 'case'")).ToList();

    /// <summary>host-negotiation.tsv.</summary>
    public static IReadOnlyList<HostNegotiationCase> HostNegotiation() =>
        Vectors.Read("host-negotiation.tsv").Select(l =>
        {
            if (l.Kind != "case" || l.Fields.Count != 6)
                throw new InvalidDataException($"{l}: expected 6 fields after 'case'");
            string outcome = l.Text(5);
            uint? accepted = outcome.StartsWith("accept:", StringComparison.Ordinal) ? uint.Parse(outcome[7..], CultureInfo.InvariantCulture) : null;
            string? refusal = outcome switch
            {
                "refuse:version" => "version",
                "refuse:entry" => "entry",
                _ when accepted is not null => null,
                _ => throw new InvalidDataException($"{l}: outcome is accept:M, refuse:version or refuse:entry"),
            };
            return new HostNegotiationCase(l, uint.Parse(l.Text(0), CultureInfo.InvariantCulture), VectorNumbers.Status(l.Text(1)),
                uint.Parse(l.Text(2), CultureInfo.InvariantCulture), OptionalUInt(l.Text(3)), OptionalUInt(l.Text(4)), accepted, refusal);
        }).ToList();

    private static uint? OptionalUInt(string text) => text == "-" ? null : uint.Parse(text, CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string> SplitKeyValue(byte[] field, VectorLine line)
    {
        string text = System.Text.Encoding.UTF8.GetString(field);
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? new(text[..eq], text[(eq + 1)..]) : throw new InvalidDataException($"{line}: '{text}' is not key=value");
    }
}

/// <summary>Numbers and status names of the vector files.</summary>
public static class VectorNumbers
{
    private static readonly Dictionary<string, int> s_statuses = new(StringComparer.Ordinal)
    {
        ["NP_OK"] = 0,
        ["NP_ERR_INVALID_ARGUMENT"] = -1,
        ["NP_ERR_CONFIG"] = -2,
        ["NP_ERR_UNSUPPORTED"] = -3,
        ["NP_ERR_VERSION"] = -4,
        ["NP_ERR_OUT_OF_MEMORY"] = -5,
        ["NP_ERR_STATE"] = -6,
        ["NP_ERR_INPUT"] = -7,
        ["NP_ERR_PLUGIN"] = -8,
        ["NP_ERR_PANIC"] = -9,
    };

    /// <summary>A status by its header name (NP_OK, NP_ERR_VERSION, ...) or as a decimal number.</summary>
    public static int Status(string text) =>
        s_statuses.TryGetValue(text, out int status) ? status
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out status) ? status
        : throw new InvalidDataException($"'{text}' is neither a status name nor a number");

    /// <summary>
    /// A number written as a decimal or as a symbol with an optional <c>+N</c>/<c>-N</c> (negotiation.tsv: MIN, CUR,
    /// LIB, VEREND), resolved with <paramref name="symbols"/>.
    /// </summary>
    public static long Resolve(string text, IReadOnlyDictionary<string, long> symbols)
    {
        int sign = text.IndexOfAny(['+', '-'], 1);
        string head = sign < 0 ? text : text[..sign];
        long offset = sign < 0 ? 0 : long.Parse(text[sign..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        long value = symbols.TryGetValue(head, out long symbol) ? symbol
            : long.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out long number) ? number
            : throw new InvalidDataException($"'{text}': unknown symbol '{head}' (known: {string.Join(", ", symbols.Keys)})");
        return value + offset;
    }
}
