using System.Globalization;

namespace NativePlugins.PluginSdk;

/// <summary>
/// The config string a host passes to <c>create</c>, parsed: <c>key=value;key=value</c> (empty means defaults), with
/// the grammar every SDK shares (interop/README.md section 7, "Config strings"; every case with its exact message is
/// in interop/vectors/config.tsv, which the C and Rust SDKs run too):
/// <list type="bullet">
/// <item>Parts are separated by <c>;</c>; there is no escape (a value cannot contain <c>;</c>). Blank parts are
/// skipped; parts are numbered from 1, counting blank ones.</item>
/// <item>A part is <c>key=value</c>, split at the first <c>=</c>; key and value are trimmed of space, TAB, CR and LF.
/// Keys and values are case-sensitive; a key given twice is an error.</item>
/// <item>Booleans are exactly <c>true</c>, <c>false</c>, <c>1</c> or <c>0</c>; integers an optional <c>-</c> and
/// ASCII digits within the range asked for.</item>
/// </list>
/// Declare the plugin's options once with a <see cref="ConfigSchema"/> (a static <c>ConfigSchema</c> member of the
/// plugin class): the SDK then checks the whole config in the grammar's order, naming an unknown key before any other
/// problem, before the plugin's constructor runs. Without a schema, every key the plugin reads (or names in
/// <see cref="Accept"/>) is known, and after the constructor returns the SDK fails <c>create</c> naming any key the
/// plugin never asked for. Every parse or conversion error is a <see cref="PluginException"/> with NP_ERR_CONFIG.
/// </summary>
public sealed class PluginConfig
{
    private readonly Dictionary<string, string> _values;
    private readonly List<string> _order;
    private readonly List<string> _known = [];

    private PluginConfig(string text, Dictionary<string, string> values, List<string> order)
    {
        Text = text;
        _values = values;
        _order = order;
    }

    /// <summary>A config with no entries.</summary>
    public static PluginConfig Empty => new("", new Dictionary<string, string>(StringComparer.Ordinal), []);

    /// <summary>The config text as the host passed it.</summary>
    public string Text { get; }

    /// <summary>The keys present, in the order given.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Parses <paramref name="text"/> (syntax and duplicates); a malformed string throws
    /// <see cref="PluginException"/> (NP_ERR_CONFIG).</summary>
    public static PluginConfig Parse(string text) => Parse(text, check: null);

    /// <summary>Parses, calling <paramref name="check"/> on each part before the next is read, so that errors come in
    /// the grammar's order (syntax, then the check, part by part).</summary>
    internal static PluginConfig Parse(string text, Action<string, string>? check)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        string[] parts = text.Split(';');
        for (int number = 1; number <= parts.Length; number++)
        {
            string part = Trim(parts[number - 1]);
            if (part.Length == 0)
                continue;
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
                throw PluginException.Config($"config part {number} '{part}' is not key=value");
            string key = Trim(part[..eq]);
            if (key.Length == 0)
                throw PluginException.Config($"config part {number} '{part}' has an empty key");
            string value = Trim(part[(eq + 1)..]);
            check?.Invoke(key, value);
            if (!values.TryAdd(key, value))
                throw PluginException.Config($"config key '{key}' is given more than once");
            order.Add(key);
        }
        return new PluginConfig(text, values, order);
    }

    /// <summary>The blanks of the grammar: space, TAB, CR, LF (not every Unicode space).</summary>
    internal static string Trim(string s) => s.Trim(' ', '\t', '\r', '\n');

    /// <summary>Declares keys as known without reading them (keys read only in some configurations).</summary>
    public void Accept(params string[] keys)
    {
        foreach (string key in keys)
            MarkKnown(key);
    }

    private void MarkKnown(string key)
    {
        if (!_known.Contains(key))
            _known.Add(key);
    }

    /// <summary>Whether <paramref name="key"/> is present. Marks it as known.</summary>
    public bool Contains(string key)
    {
        MarkKnown(key);
        return _values.ContainsKey(key);
    }

    /// <summary>The (trimmed) value of <paramref name="key"/>, or null when absent. Marks it as known.</summary>
    public string? GetString(string key)
    {
        MarkKnown(key);
        return _values.TryGetValue(key, out string? value) ? value : null;
    }

    /// <summary>The value of <paramref name="key"/>, or <paramref name="defaultValue"/> when absent.</summary>
    public string GetString(string key, string defaultValue) => GetString(key) ?? defaultValue;

    /// <summary>The value of a key the plugin cannot work without; NP_ERR_CONFIG when absent or empty.</summary>
    public string GetRequiredString(string key) => GetString(key) switch
    {
        null => throw PluginException.Config($"missing required config key '{key}'"),
        "" => throw PluginException.Config($"config key '{key}' must not be empty"),
        string value => value,
    };

    /// <summary>A boolean: exactly <c>true</c>, <c>false</c>, <c>1</c> or <c>0</c>.</summary>
    public bool GetBoolean(string key, bool defaultValue)
    {
        string? raw = GetString(key);
        return raw is null ? defaultValue : ParseBoolean(key, raw);
    }

    internal static bool ParseBoolean(string key, string value) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw PluginException.Config($"config key '{key}' must be true, false, 1 or 0, got '{value}'"),
    };

    /// <summary>A 32-bit integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int GetInt32(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue) =>
        (int)GetInt64(key, defaultValue, min, max);

    /// <summary>A 64-bit integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long GetInt64(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        string? raw = GetString(key);
        if (raw is null)
            return defaultValue;
        return (long)ParseInteger(key, raw, min, max);
    }

    /// <summary>An unsigned 64-bit integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public ulong GetUInt64(string key, ulong defaultValue, ulong min = ulong.MinValue, ulong max = ulong.MaxValue)
    {
        string? raw = GetString(key);
        if (raw is null)
            return defaultValue;
        return (ulong)ParseInteger(key, raw, min, max);
    }

    /// <summary>An integer of the grammar (an optional '-' then ASCII digits) within [min, max].</summary>
    internal static Int128 ParseInteger(string key, string value, Int128 min, Int128 max)
    {
        string digits = value.StartsWith('-') ? value[1..] : value;
        bool ok = digits.Length > 0 && digits.All(char.IsAsciiDigit)
            && Int128.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out Int128 parsed)
            && parsed >= min && parsed <= max;
        return ok
            ? Int128.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : throw PluginException.Config($"config key '{key}' must be an integer in {min}..{max}, got '{value}'");
    }

    /// <summary>
    /// Fails with NP_ERR_CONFIG naming the first key the plugin never read or accepted. The SDK calls this after
    /// the plugin's constructor; a plugin that builds itself in stages may call it earlier.
    /// </summary>
    public void ThrowIfUnknownKeys()
    {
        foreach (string key in _order)
        {
            if (!_known.Contains(key))
                throw UnknownKey(key, _known.Order(StringComparer.Ordinal));
        }
    }

    internal static PluginException UnknownKey(string key, IEnumerable<string> known)
    {
        string list = string.Join(", ", known);
        return PluginException.Config(list.Length == 0
            ? $"unknown config key '{key}' (this plugin takes no config)"
            : $"unknown config key '{key}' (known keys: {list})");
    }

    /// <summary>A config checked by a schema: every declared key counts as known.</summary>
    internal static PluginConfig Checked(string text, ConfigSchema schema, Action<string, string> check)
    {
        PluginConfig config = Parse(text, check);
        foreach (ConfigSchema.Option option in schema.Options)
            config.MarkKnown(option.Key);
        return config;
    }
}
