using System.Text.RegularExpressions;
using NativePlugins.Conformance.Suite;

namespace NativePlugins.Conformance;

/// <summary>The public face of the suite: the list of checks and pattern selection.</summary>
public static class ConformanceSuite
{
    /// <summary>Every check of the suite, in report order.</summary>
    public static IReadOnlyList<CheckInfo> Checks { get; } = CheckCatalog.All.Select(c => c.Info).ToList();

    /// <summary>The checks selected by <paramref name="patterns"/> (none = all): an exact name, a glob with * and ?
    /// (<c>input.*</c>), or a rule id (<c>P6</c>). A pattern that matches nothing is an error (a typo must not turn
    /// into a green run).</summary>
    /// <exception cref="ArgumentException">a pattern selects no check.</exception>
    public static IReadOnlyList<CheckInfo> Select(IReadOnlyList<string> patterns)
    {
        var split = patterns.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (split.Count == 0) return Checks;
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in split)
        {
            var matches = Checks.Where(c => Matches(c, pattern)).ToList();
            if (matches.Count == 0)
                throw new ArgumentException($"--check '{pattern}' matches no check (see --list-checks)");
            foreach (var m in matches) selected.Add(m.Name);
        }
        return Checks.Where(c => selected.Contains(c.Name)).ToList();
    }

    private static bool Matches(CheckInfo check, string pattern)
    {
        if (Regex.IsMatch(pattern, @"\A[Pp][0-9]+\z")) return string.Equals(check.Rule, pattern, StringComparison.OrdinalIgnoreCase);
        var regex = "\\A" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "\\z";
        return Regex.IsMatch(check.Name, regex);
    }

    /// <summary>Short titles of the rules, for reports.</summary>
    public static IReadOnlyDictionary<string, string> RuleTitles { get; } = new Dictionary<string, string>
    {
        ["P1"] = "entry and version negotiation",
        ["P2"] = "complete, well-formed descriptors",
        ["P3"] = "np_entry pure and cheap; init/deinit repeatable",
        ["P4"] = "memory: no kept inputs, balanced host allocations, flat RSS",
        ["P5"] = "error messages",
        ["P6"] = "bad input is an error, never a crash",
        ["P7"] = "panics contained, instance poisoned",
        ["P8"] = "instance lifecycle",
        ["P9"] = "threading models",
        ["P10"] = "emitter protocol",
        ["P11"] = "[leaf] functions",
        ["P12"] = "time budgets",
        ["P13"] = "state hand-over (np.state/1)",
    };
}
