using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Sdk;

public sealed class PluginConfigTests
{
    private static PluginException ConfigError(Action action)
    {
        var e = Assert.Throws<PluginException>(action);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        return e;
    }

    [Fact]
    public void Parses_keys_and_values_keeping_values_verbatim()
    {
        var config = PluginConfig.Parse(@" pattern = \d+ (x|y) ;replace=a=b;; empty=;");
        Assert.Equal(["pattern", "replace", "empty"], config.Keys);
        Assert.Equal(@" \d+ (x|y) ", config.GetString("pattern"));
        Assert.Equal("a=b", config.GetString("replace"));
        Assert.Equal("", config.GetString("empty"));
        config.ThrowIfUnknownKeys();
    }

    [Fact]
    public void Backslash_semicolon_is_a_literal_semicolon_and_other_backslashes_stay()
    {
        var config = PluginConfig.Parse(@"a=x\;y\n;b=\\");
        Assert.Equal(@"x;y\n", config.GetString("a"));
        Assert.Equal(@"\\", config.GetString("b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(";;")]
    public void Empty_config_has_no_keys(string text) => Assert.Empty(PluginConfig.Parse(text).Keys);

    [Fact]
    public void Malformed_entries_are_config_errors()
    {
        Assert.Contains("'novalue' has no '='", ConfigError(() => PluginConfig.Parse("a=1;novalue")).Message);
        Assert.Contains("empty key", ConfigError(() => PluginConfig.Parse("=1")).Message);
        Assert.Contains("'a' is given twice", ConfigError(() => PluginConfig.Parse("a=1;a=2")).Message);
    }

    [Fact]
    public void Unknown_keys_are_named_with_the_known_ones()
    {
        var config = PluginConfig.Parse("top=3;colour=red");
        config.GetInt32("top", 10);
        config.GetBoolean("ignore_case", true);
        var e = ConfigError(config.ThrowIfUnknownKeys);
        Assert.Equal("unknown config key 'colour' (known keys: ignore_case, top)", e.Message);
    }

    [Fact]
    public void A_plugin_without_config_says_so()
    {
        var e = ConfigError(PluginConfig.Parse("x=1").ThrowIfUnknownKeys);
        Assert.Equal("unknown config key 'x' (it takes no config)", e.Message);
    }

    [Fact]
    public void Accepted_keys_are_known_without_being_read()
    {
        var config = PluginConfig.Parse("legacy=1");
        config.Accept("legacy");
        config.ThrowIfUnknownKeys();
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData(" YES ", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    public void Booleans(string text, bool expected) => Assert.Equal(expected, PluginConfig.Parse("b=" + text).GetBoolean("b", !expected));

    [Fact]
    public void Typed_values_out_of_shape_or_range_are_config_errors()
    {
        var config = PluginConfig.Parse("b=maybe;n=12x;m=500");
        Assert.Contains("'b': expected true or false, got 'maybe'", ConfigError(() => config.GetBoolean("b", false)).Message);
        Assert.Contains("'n': expected an integer, got '12x'", ConfigError(() => config.GetInt32("n", 0)).Message);
        Assert.Contains("'m': 500 is out of range [1, 100]", ConfigError(() => config.GetInt32("m", 1, 1, 100)).Message);
        Assert.Equal(7, config.GetInt32("absent", 7));
    }

    [Fact]
    public void Required_keys()
    {
        Assert.Equal("x", PluginConfig.Parse("p=x").GetRequiredString("p"));
        Assert.Contains("'p' is required", ConfigError(() => PluginConfig.Parse("p=").GetRequiredString("p")).Message);
    }
}
