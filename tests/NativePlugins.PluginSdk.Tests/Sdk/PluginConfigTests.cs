using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>The lazy PluginConfig API (no schema). The grammar itself, case by case, is ConfigVectorTests (config.tsv);
/// these pin what only the lazy API does: keys become known by being read, and unknown ones are named afterwards.</summary>
public sealed class PluginConfigTests
{
    private static PluginException ConfigError(Action action)
    {
        var e = Assert.Throws<PluginException>(action);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        return e;
    }

    [Fact]
    public void Parses_keys_and_trimmed_values_in_order()
    {
        var config = PluginConfig.Parse(@" pattern = \d+ (x|y) ;replace=a=b;; empty=;");
        Assert.Equal(["pattern", "replace", "empty"], config.Keys);
        Assert.Equal(@"\d+ (x|y)", config.GetString("pattern"));
        Assert.Equal("a=b", config.GetString("replace"));
        Assert.Equal("", config.GetString("empty"));
        config.ThrowIfUnknownKeys();
    }

    [Fact]
    public void There_is_no_escape_a_semicolon_always_ends_the_part()
    {
        var e = ConfigError(() => PluginConfig.Parse(@"a=x\;y"));
        Assert.Equal("config part 2 'y' is not key=value", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(";;")]
    public void Empty_config_has_no_keys(string text) => Assert.Empty(PluginConfig.Parse(text).Keys);

    [Fact]
    public void Unknown_keys_are_named_with_the_known_ones_after_reading()
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
        Assert.Equal("unknown config key 'x' (this plugin takes no config)", e.Message);
    }

    [Fact]
    public void Accepted_keys_are_known_without_being_read()
    {
        var config = PluginConfig.Parse("legacy=1");
        config.Accept("legacy");
        config.ThrowIfUnknownKeys();
    }

    [Fact]
    public void Typed_getters_give_the_grammars_messages()
    {
        var config = PluginConfig.Parse("b=maybe;n=12x;m=500;p=+5;y=YES");
        Assert.Equal("config key 'b' must be true, false, 1 or 0, got 'maybe'", ConfigError(() => config.GetBoolean("b", false)).Message);
        Assert.Equal("config key 'y' must be true, false, 1 or 0, got 'YES'", ConfigError(() => config.GetBoolean("y", false)).Message);
        Assert.Equal("config key 'n' must be an integer in 0..10, got '12x'", ConfigError(() => config.GetInt32("n", 0, 0, 10)).Message);
        Assert.Equal("config key 'm' must be an integer in 1..100, got '500'", ConfigError(() => config.GetInt32("m", 1, 1, 100)).Message);
        Assert.Equal("config key 'p' must be an integer in 0..10, got '+5'", ConfigError(() => config.GetInt64("p", 0, 0, 10)).Message);
        Assert.Equal(7, config.GetInt32("absent", 7));
        Assert.Equal(-3, PluginConfig.Parse("n=-3").GetInt32("n", 0, -10, 10));
    }

    [Fact]
    public void Required_keys()
    {
        Assert.Equal("x", PluginConfig.Parse("p=x").GetRequiredString("p"));
        Assert.Equal("config key 'p' must not be empty", ConfigError(() => PluginConfig.Parse("p=").GetRequiredString("p")).Message);
        Assert.Equal("missing required config key 'p'", ConfigError(() => PluginConfig.Empty.GetRequiredString("p")).Message);
    }

    [Fact]
    public void A_schema_names_an_unknown_key_before_a_missing_required_one()
    {
        var schema = new ConfigSchema().String("pattern", required: true).Bool("invert");
        Assert.Equal("unknown config key 'bogus' (known keys: pattern, invert)", ConfigError(() => schema.Parse("bogus=1")).Message);
        Assert.Throws<ArgumentException>(() => new ConfigSchema().Bool("a").Bool("a"));
    }
}
