using System.Globalization;
using System.Text;

namespace NativePlugins.PluginSdk;

/// <summary>
/// The config string a host passes to <c>create</c>, parsed: <c>key=value;key=value</c> (empty means defaults).
/// <list type="bullet">
/// <item>Entries are separated by <c>;</c>; <c>\;</c> is a literal semicolon inside a value (no other escape exists,
/// so regex backslashes pass through unchanged). Empty entries (a trailing <c>;</c>) are ignored.</item>
/// <item>The key is everything before the first <c>=</c>, trimmed; the value is everything after it, verbatim.</item>
/// <item>Keys are case-sensitive; a key given twice is an error.</item>
/// </list>
/// Every key the plugin reads (or names in <see cref="Accept"/>) is a known key. After the plugin's constructor
/// returns, the SDK fails <c>create</c> with <c>NP_ERR_CONFIG</c> naming any key the plugin never asked for.
/// Every parse or conversion error is a <see cref="PluginException"/> with <c>NP_ERR_CONFIG</c>.
/// </summary>
public sealed class PluginConfig
{
    private readonly Dictionary<string, string> _values;
    private readonly List<string> _order;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

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

    /// <summary>Parses <paramref name="text"/>; a malformed string throws <see cref="PluginException"/> (NP_ERR_CONFIG).</summary>
    public static PluginConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        var entry = new StringBuilder();
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '\\' && i + 1 < text.Length && text[i + 1] == ';')
            {
                entry.Append(';');
                i++;
                continue;
            }
            if (i < text.Length && text[i] != ';')
            {
                entry.Append(text[i]);
                continue;
            }
            AddEntry(entry.ToString(), values, order);
            entry.Clear();
        }
        return new PluginConfig(text, values, order);
    }

    private static void AddEntry(string entry, Dictionary<string, string> values, List<string> order)
    {
        if (string.IsNullOrWhiteSpace(entry))
            return;
        int eq = entry.IndexOf('=');
        if (eq < 0)
            throw PluginException.Config($"config entry '{entry.Trim()}' has no '=' (expected key=value;key=value)");
        string key = entry[..eq].Trim();
        if (key.Length == 0)
            throw PluginException.Config($"config entry '{entry.Trim()}' has an empty key (expected key=value;key=value)");
        if (!values.TryAdd(key, entry[(eq + 1)..]))
            throw PluginException.Config($"config key '{key}' is given twice");
        order.Add(key);
    }

    /// <summary>Declares keys as known without reading them (keys read only in some configurations).</summary>
    public void Accept(params string[] keys)
    {
        foreach (string key in keys)
            _known.Add(key);
    }

    /// <summary>Whether <paramref name="key"/> is present. Marks it as known.</summary>
    public bool Contains(string key)
    {
        _known.Add(key);
        return _values.ContainsKey(key);
    }

    /// <summary>The value of <paramref name="key"/>, or null when absent. Marks it as known.</summary>
    public string? GetString(string key)
    {
        _known.Add(key);
        return _values.TryGetValue(key, out string? value) ? value : null;
    }

    /// <summary>The value of <paramref name="key"/>, or <paramref name="defaultValue"/> when absent.</summary>
    public string GetString(string key, string defaultValue) => GetString(key) ?? defaultValue;

    /// <summary>The value of a key the plugin cannot work without; NP_ERR_CONFIG when absent or empty.</summary>
    public string GetRequiredString(string key) =>
        GetString(key) is { Length: > 0 } value ? value : throw PluginException.Config($"config key '{key}' is required");

    /// <summary>A boolean: <c>true/false</c>, <c>yes/no</c>, <c>on/off</c> or <c>1/0</c> (any case).</summary>
    public bool GetBoolean(string key, bool defaultValue)
    {
        string? raw = GetString(key);
        if (raw is null)
            return defaultValue;
        switch (raw.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on" or "1":
                return true;
            case "false" or "no" or "off" or "0":
                return false;
            default:
                throw PluginException.Config($"config key '{key}': expected true or false, got '{raw}'");
        }
    }

    /// <summary>A 32-bit integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int GetInt32(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        long value = GetInt64(key, defaultValue, min, max);
        return (int)value;
    }

    /// <summary>A 64-bit integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long GetInt64(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        string? raw = GetString(key);
        if (raw is null)
            return defaultValue;
        if (!long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw PluginException.Config($"config key '{key}': expected an integer, got '{raw}'");
        if (value < min || value > max)
            throw PluginException.Config($"config key '{key}': {value} is out of range [{min}, {max}]");
        return value;
    }

    /// <summary>
    /// Fails with NP_ERR_CONFIG naming the first key the plugin never read or accepted. The SDK calls this after
    /// the plugin's constructor; a plugin that builds itself in stages may call it earlier.
    /// </summary>
    public void ThrowIfUnknownKeys()
    {
        foreach (string key in _order)
        {
            if (_known.Contains(key))
                continue;
            string known = _known.Count == 0
                ? "it takes no config"
                : "known keys: " + string.Join(", ", _known.Order(StringComparer.Ordinal));
            throw PluginException.Config($"unknown config key '{key}' ({known})");
        }
    }
}
