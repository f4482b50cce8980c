using System.Text;
using NativePlugins.TestSupport;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>Rule P2's syntax (NpDescriptorRules, implemented by NpDescriptorSyntax, which the C# SDK's generator shares)
/// against every case of the shared vectors that the C host and the Rust SDK run too.</summary>
public class NpDescriptorRulesTests
{
    public static TheoryData<string, string> Files => new()
    {
        { "plugin-ids.tsv", "plugin id" },
        { "interface-ids.tsv", "interface id" },
        { "versions.tsv", "version" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_vector_gets_its_verdict(string file, string what)
    {
        Func<string, bool> rule = file switch
        {
            "plugin-ids.tsv" => NpDescriptorRules.IsValidPluginId,
            "interface-ids.tsv" => NpDescriptorRules.IsValidInterfaceId,
            _ => NpDescriptorRules.IsValidVersion,
        };
        var wrong = Vectors.Validity(file)
            .Where(v => rule(Encoding.UTF8.GetString(v.Text)) != v.Valid)
            .Select(v => $"{v.Line} ({what} should be {(v.Valid ? "valid" : "invalid")})")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Null_is_never_valid()
    {
        Assert.False(NpDescriptorSyntax.IsPluginId(null!));
        Assert.False(NpDescriptorSyntax.IsInterfaceId(null!));
        Assert.False(NpDescriptorSyntax.IsSemanticVersion(null!));
    }
}
