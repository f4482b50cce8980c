using NativePlugins.Interop;
using NativePlugins.TestSupport;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>S9: the C# SDK's ConfigSchema against every case of interop/vectors/config.tsv, which the C and Rust SDKs run
/// too.</summary>
public sealed class ConfigVectorTests
{
    private static ConfigSchema SchemaOf(ConfigSection section)
    {
        var schema = new ConfigSchema();
        foreach (ConfigOptionSpec o in section.Schema)
        {
            schema = o.Type switch
            {
                "string" => schema.String(o.Name, o.Required, o.NonEmpty),
                "bool" => schema.Bool(o.Name),
                "int" => schema.Int(o.Name, o.Min, o.Max),
                "choice" => schema.Choice(o.Name, [.. o.Choices]),
                _ => throw new InvalidDataException($"{section.SchemaLine}: unknown type {o.Type}"),
            };
        }
        return schema;
    }

    private static string ValueText(PluginConfig config, ConfigOptionSpec o) => o.Type switch
    {
        "bool" => config.GetBoolean(o.Name, false) ? "true" : "false",
        "int" => config.GetUInt64(o.Name, 0, o.Min, o.Max).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => config.GetString(o.Name)!,
    };

    [Fact]
    public void S9_every_case_of_config_tsv()
    {
        var wrong = new List<string>();
        int cases = 0;
        foreach (ConfigSection section in VectorCases.Config())
        {
            ConfigSchema schema = SchemaOf(section);
            foreach (ConfigCase c in section.Cases)
            {
                cases++;
                string text = System.Text.Encoding.UTF8.GetString(c.Config);
                try
                {
                    PluginConfig config = schema.Parse(text);
                    if (!c.Ok)
                    {
                        wrong.Add($"{c}: accepted");
                        continue;
                    }
                    var got = section.Schema.Where(o => config.Keys.Contains(o.Name)).Select(o => $"{o.Name}={ValueText(config, o)}");
                    var expected = c.Parsed!.Select(kv => $"{kv.Key}={kv.Value}");
                    if (!got.SequenceEqual(expected))
                        wrong.Add($"{c}: parsed [{string.Join(", ", got)}]");
                    config.ThrowIfUnknownKeys(); // every declared key is known
                }
                catch (PluginException e)
                {
                    if (c.Ok || e.Status != NpAbi.NP_ERR_CONFIG || e.Message != c.Error)
                        wrong.Add($"{c}: {NpAbi.StatusName(e.Status)} '{e.Message}'");
                }
            }
        }
        Assert.True(cases > 50);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
