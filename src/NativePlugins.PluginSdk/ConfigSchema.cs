namespace NativePlugins.PluginSdk;

/// <summary>
/// The options of a plugin, declared once, so that the SDK checks the whole config before the plugin's constructor
/// runs, in the grammar's order and with the messages every SDK gives (interop/README.md section 7; the cases are
/// interop/vectors/config.tsv). Declare it as a static member named <c>ConfigSchema</c> of the [NativePlugin] class:
/// <code>
/// public static ConfigSchema ConfigSchema { get; } = new ConfigSchema()
///     .String("pattern", required: true, nonEmpty: true)
///     .Bool("ignore_case")
///     .Int("limit", 0, 100)
///     .Choice("mode", "skip", "fail");
/// </code>
/// The plugin then reads the values with the usual getters of <see cref="PluginConfig"/>.
/// </summary>
public sealed class ConfigSchema
{
    private readonly List<Option> _options = [];

    /// <summary>What kind of value an option takes.</summary>
    public enum Kind
    {
        /// <summary>Text (trimmed).</summary>
        String,
        /// <summary><c>true</c>, <c>false</c>, <c>1</c> or <c>0</c>.</summary>
        Bool,
        /// <summary>An unsigned integer within a range.</summary>
        Int,
        /// <summary>One of the choices, exactly.</summary>
        Choice,
    }

    /// <summary>One declared option.</summary>
    public sealed record Option(string Key, Kind Kind, bool Required, bool NonEmpty, ulong Min, ulong Max, IReadOnlyList<string> Choices);

    /// <summary>The options in declaration order (the order messages list them in).</summary>
    public IReadOnlyList<Option> Options => _options;

    /// <summary>A string option.</summary>
    public ConfigSchema String(string key, bool required = false, bool nonEmpty = false) =>
        Add(new Option(key, Kind.String, required, nonEmpty, 0, 0, []));

    /// <summary>A boolean option.</summary>
    public ConfigSchema Bool(string key) => Add(new Option(key, Kind.Bool, false, false, 0, 0, []));

    /// <summary>An unsigned integer option within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public ConfigSchema Int(string key, ulong min, ulong max) =>
        min <= max ? Add(new Option(key, Kind.Int, false, false, min, max, []))
            : throw new ArgumentException($"option '{key}': min {min} is above max {max}", nameof(min));

    /// <summary>An option whose value is one of <paramref name="choices"/>.</summary>
    public ConfigSchema Choice(string key, params string[] choices) =>
        choices.Length > 0 ? Add(new Option(key, Kind.Choice, false, false, 0, 0, choices))
            : throw new ArgumentException($"option '{key}' needs at least one choice", nameof(choices));

    private ConfigSchema Add(Option option)
    {
        if (_options.Any(o => o.Key == option.Key))
            throw new ArgumentException($"option '{option.Key}' is declared twice", nameof(option));
        _options.Add(option);
        return this;
    }

    /// <summary>
    /// Parses and checks <paramref name="text"/>: one pass from left to right (a part without '=', an empty key, an
    /// unknown key, a key given twice, the value's own check), then missing required keys in declaration order.
    /// Throws <see cref="PluginException"/> (NP_ERR_CONFIG) with the grammar's message.
    /// </summary>
    public PluginConfig Parse(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        PluginConfig config = PluginConfig.Checked(text, this, (key, value) =>
        {
            Option option = _options.Find(o => o.Key == key) ?? throw PluginConfig.UnknownKey(key, _options.Select(o => o.Key));
            if (!seen.Add(key))
                throw PluginException.Config($"config key '{key}' is given more than once");
            switch (option.Kind)
            {
                case Kind.String when option.NonEmpty && value.Length == 0:
                    throw PluginException.Config($"config key '{key}' must not be empty");
                case Kind.Bool:
                    PluginConfig.ParseBoolean(key, value);
                    break;
                case Kind.Int:
                    PluginConfig.ParseInteger(key, value, option.Min, option.Max);
                    break;
                case Kind.Choice when !option.Choices.Contains(value, StringComparer.Ordinal):
                    throw PluginException.Config($"config key '{key}' must be one of {string.Join('|', option.Choices)}, got '{value}'");
            }
        });
        foreach (Option option in _options)
            if (option.Required && !seen.Contains(option.Key))
                throw PluginException.Config($"missing required config key '{option.Key}'");
        return config;
    }
}
