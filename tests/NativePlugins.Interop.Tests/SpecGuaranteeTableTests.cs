using System.Text.RegularExpressions;
using NativePlugins.TestSupport;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>
/// The spec's table "What the SDKs guarantee on the plugin's behalf" (interop/README.md) promises that every row is
/// pinned by a test named after it in each SDK's suite. This keeps the promise true: for every row S&lt;n&gt; and every
/// SDK column whose cell is not "n/a", a test whose name starts with "S&lt;n&gt;_" (Rust: "s&lt;n&gt;_") exists in that SDK's test sources.
/// A row added to the spec without its tests, or a test renamed away, fails here.
/// </summary>
public sealed class SpecGuaranteeTableTests
{
    /// <summary>Column header of the table -> the folders (below the repository root) holding that SDK's tests.</summary>
    private static readonly Dictionary<string, string[]> SuitesByColumn = new()
    {
        ["C SDK"] = ["native/tests"],
        ["Rust SDK"] = ["native/rust"],
        ["C# SDK"] = ["tests/NativePlugins.PluginSdk.Tests"],
    };

    private static readonly string[] SourceExtensions = [".cpp", ".c", ".rs", ".cs"];

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var (row, column, _) in ReadTable())
            data.Add(row, column);
        return data;
    }

    [Fact]
    public void The_table_has_every_row_and_every_sdk_column()
    {
        var cells = ReadTable();
        Assert.Equal(SuitesByColumn.Keys.Order(), cells.Select(c => c.Column).Distinct().Order());
        var rows = cells.Select(c => c.Row).Distinct().ToList();
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(n => $"S{n}"), rows); // numbered without gaps
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Every_guarantee_an_sdk_claims_is_pinned_by_a_test_named_after_its_row(string row, string column)
    {
        var cell = ReadTable().Single(c => c.Row == row && c.Column == column).Text;
        if (cell.StartsWith("n/a", StringComparison.Ordinal))
            return; // the SDK claims nothing here

        // Case-insensitive: Rust test functions are snake_case (s4_...).
        var name = new Regex($@"\b{row}_\w+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        var hits = SuitesByColumn[column]
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(RepoLayout.RepoRoot, dir), "*", SearchOption.AllDirectories))
            .Where(f => SourceExtensions.Contains(Path.GetExtension(f)) && !IsBuildOutput(f))
            .Where(f => name.IsMatch(File.ReadAllText(f)))
            .ToList();
        Assert.True(hits.Count > 0,
            $"interop/README.md says the {column} guarantees {row} (\"{cell}\"), but no test named {row}_... exists under " +
            string.Join(", ", SuitesByColumn[column]));
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}target{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static List<(string Row, string Column, string Text)> ReadTable()
    {
        var lines = File.ReadAllLines(RepoLayout.RepoFile("interop/README.md"));
        int heading = Array.FindIndex(lines, l => l.StartsWith("### What the SDKs guarantee", StringComparison.Ordinal));
        Assert.True(heading >= 0, "interop/README.md has no section 'What the SDKs guarantee on the plugin's behalf'");
        var table = lines.Skip(heading + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.True(table.Count > 2, "the guarantee table is empty");

        string[] header = Split(table[0]);
        var cells = new List<(string, string, string)>();
        foreach (var line in table.Skip(2)) // header, separator
        {
            string[] cols = Split(line);
            string row = cols[0].Trim('*');
            for (int i = 2; i < header.Length; i++) // 0: number, 1: the guarantee's text
                cells.Add((row, header[i], cols[i]));
        }
        return cells;
    }

    private static string[] Split(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
