using NativePlugins.TestSupport;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The shared vector files parse, and the reader refuses what the format does not define (a typo in a vector
/// file must fail loudly, never become a silently different vector).</summary>
public class VectorFileTests
{
    [Theory]
    [InlineData("plugin-ids.tsv")]
    [InlineData("interface-ids.tsv")]
    [InlineData("versions.tsv")]
    public void Validity_files_have_both_kinds(string file)
    {
        var lines = Vectors.Validity(file);
        Assert.Contains(lines, l => l.Valid);
        Assert.Contains(lines, l => !l.Valid);
    }

    [Fact]
    public void Config_file_parses_into_sections_with_cases()
    {
        var sections = VectorCases.Config();
        Assert.True(sections.Count >= 3, "config.tsv has at least three schemas");
        Assert.All(sections, s => Assert.NotEmpty(s.Cases));
        Assert.Contains(sections, s => s.Schema.Count == 0);
        var first = sections[0];
        Assert.Equal(["pattern", "invert", "limit", "mode"], first.Schema.Select(o => o.Name));
        Assert.True(first.Schema[0].Required && first.Schema[0].NonEmpty);
        Assert.Equal((0ul, 100ul), (first.Schema[2].Min, first.Schema[2].Max));
        Assert.Equal(["skip", "fail", "keep"], first.Schema[3].Choices);
    }

    [Fact]
    public void Negotiation_files_parse()
    {
        Assert.NotEmpty(VectorCases.Negotiation());
        var host = VectorCases.HostNegotiation();
        Assert.Contains(host, c => c.AcceptedMinor is not null);
        Assert.Contains(host, c => c.Refusal == "version");
        Assert.Contains(host, c => c.Refusal == "entry");
    }

    [Theory]
    [InlineData(@"a\tb", new byte[] { (byte)'a', 9, (byte)'b' })]
    [InlineData(@"\\d", new byte[] { (byte)'\\', (byte)'d' })]
    [InlineData(@"\x00\xff", new byte[] { 0, 0xff })]
    [InlineData("\"\"", new byte[0])]
    [InlineData("ä", new byte[] { 0xc3, 0xa4 })]
    public void Escapes_unescape_to_bytes(string field, byte[] expected) =>
        Assert.Equal(expected, Vectors.Unescape(field, "t.tsv", 1));

    [Theory]
    [InlineData(@"\q")]
    [InlineData(@"\x4")]
    [InlineData(@"\xZZ")]
    [InlineData(@"trailing\")]
    public void Unknown_escapes_are_errors_of_the_file(string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => Vectors.Unescape(field, "t.tsv", 7));
        Assert.Contains("t.tsv:7", e.Message);
    }

    [Fact]
    public void Symbols_resolve_with_offsets()
    {
        var symbols = new Dictionary<string, long> { ["MIN"] = 40, ["LIB"] = 1 };
        Assert.Equal(39, VectorNumbers.Resolve("MIN-1", symbols));
        Assert.Equal(8, VectorNumbers.Resolve("LIB+7", symbols));
        Assert.Equal(4294967295, VectorNumbers.Resolve("4294967295", symbols));
        Assert.Throws<InvalidDataException>(() => VectorNumbers.Resolve("MAX", symbols));
        Assert.Equal(-9, VectorNumbers.Status("NP_ERR_PANIC"));
        Assert.Equal(-100, VectorNumbers.Status("-100"));
    }
}
