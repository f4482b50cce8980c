using Xunit;
using NativePlugins.Interop;

namespace NativePlugins.Interop.Tests;

/// <summary>The syntax rules of P2, exactly as the spec's regular expressions (and not a byte more).</summary>
public class NpDescriptorRulesTests
{
    [Theory]
    [InlineData("org.nativeplugins.c.upper")]
    [InlineData("a.b")]
    [InlineData("com.example.json-field")]
    [InlineData("com.example.snake_case")]
    [InlineData("x1.y2.z3")]
    public void Valid_plugin_ids(string id) => Assert.True(NpDescriptorRules.IsValidPluginId(id));

    [Theory]
    [InlineData("upper")]                        // not reverse-DNS
    [InlineData("Org.example.upper")]            // upper case
    [InlineData("org..upper")]                   // empty label
    [InlineData("org.example.upper\n")]          // trailing newline ($ would accept it)
    [InlineData(".org.example")]
    [InlineData("org.example.")]
    [InlineData("org.exämple")]                  // non-ASCII
    [InlineData("org.example upper")]
    [InlineData("")]
    public void Invalid_plugin_ids(string id) => Assert.False(NpDescriptorRules.IsValidPluginId(id));

    [Fact]
    public void Plugin_ids_are_at_most_128_bytes()
    {
        var ok = "a." + new string('b', 126);
        Assert.True(NpDescriptorRules.IsValidPluginId(ok));
        Assert.False(NpDescriptorRules.IsValidPluginId(ok + "c"));
    }

    [Theory]
    [InlineData("np.transform/1", true)]
    [InlineData("np/1", true)]
    [InlineData("com.example.thing/12", true)]
    [InlineData("np.transform/0", false)]
    [InlineData("np.transform/01", false)]
    [InlineData("np.transform", false)]
    [InlineData("np.transform/1\n", false)]
    [InlineData("NP.transform/1", false)]
    public void Interface_ids(string id, bool valid) => Assert.Equal(valid, NpDescriptorRules.IsValidInterfaceId(id));

    [Theory]
    [InlineData("1.0.0", true)]
    [InlineData("0.1.0-alpha.1+build.5", true)]
    [InlineData("10.20.30", true)]
    [InlineData("1.0.0-rc.1", true)]
    [InlineData("1.0", false)]
    [InlineData("01.0.0", false)]
    [InlineData("1.0.0-", false)]
    [InlineData("v1.0.0", false)]
    [InlineData("1.0.0\n", false)]
    [InlineData("١.٠.٠", false)] // Arabic-Indic digits: \d would accept them
    public void Semantic_versions(string v, bool valid) => Assert.Equal(valid, NpDescriptorRules.IsValidVersion(v));
}
