using System.Text.RegularExpressions;

namespace NativePlugins.Conformance.Tests;

/// <summary>The suite's public catalog: stable names, one rule each, every rule covered, selection by pattern.</summary>
public class SuiteCatalogTests
{
    [Fact]
    public void Every_check_has_a_unique_dotted_name_a_rule_and_a_description()
    {
        var names = ConformanceSuite.Checks.Select(c => c.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var c in ConformanceSuite.Checks)
        {
            Assert.Matches(new Regex(@"\A[a-z0-9]+(\.[a-z0-9-]+)+\z"), c.Name);
            Assert.Matches(new Regex(@"\AP([1-9]|1[0-3])\z"), c.Rule);
            Assert.False(string.IsNullOrWhiteSpace(c.Description), c.Name);
            Assert.True(c.Attempts >= 1 && c.TimeoutScale >= 1, c.Name);
        }
    }

    [Fact]
    public void Every_plugin_rule_of_the_spec_has_at_least_one_check()
    {
        var rules = ConformanceSuite.Checks.Select(c => c.Rule).ToHashSet();
        var spec = File.ReadAllText(Path.Combine(RepoLayout.RepoRoot, "interop", "README.md"));
        var specRules = Regex.Matches(spec, @"\*\*(P[0-9]+)\*\*").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(specRules);
        Assert.Empty(specRules.Except(rules));
        Assert.Empty(rules.Except(specRules)); // no check cites a rule the spec does not have
    }

    [Fact]
    public void The_suite_readme_lists_every_check_with_its_rule()
    {
        var readme = File.ReadAllText(Path.Combine(RepoLayout.RepoRoot, "src", "NativePlugins.Conformance", "README.md"));
        foreach (var c in ConformanceSuite.Checks)
            Assert.Contains($"| `{c.Name}` | {c.Rule} |", readme);
    }

    [Fact]
    public void The_interface_checks_are_per_interface_and_share_a_worker_group_of_their_own()
    {
        var interfaceChecks = ConformanceSuite.Checks.Where(c => c.Name.StartsWith("interface.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["interface.vtable-size", "interface.required-functions", "interface.layout", "interface.lifecycle"],
            interfaceChecks.Select(c => c.Name));
        Assert.All(interfaceChecks, c => Assert.Equal((CheckScope.Interface, "interface", CheckIsolation.Group), (c.Scope, c.Group, c.Isolation)));
        Assert.DoesNotContain(ConformanceSuite.Checks, c => c.Group == "interface" && c.Scope != CheckScope.Interface);
    }

    [Fact]
    public void Patterns_select_by_name_glob_and_rule()
    {
        Assert.Equal(ConformanceSuite.Checks.Count, ConformanceSuite.Select([]).Count);
        Assert.Equal(["lifecycle.flush-twice"], ConformanceSuite.Select(["lifecycle.flush-twice"]).Select(c => c.Name));
        Assert.All(ConformanceSuite.Select(["input.*"]), c => Assert.StartsWith("input.", c.Name));
        Assert.All(ConformanceSuite.Select(["p6"]), c => Assert.Equal("P6", c.Rule));
        var both = ConformanceSuite.Select(["P1,leaf.stats"]);
        Assert.Contains(both, c => c.Name == "leaf.stats");
        Assert.Contains(both, c => c.Name == "negotiation.newer-minor");
        // Suite order is kept whatever the order of the patterns.
        var ordered = ConformanceSuite.Checks.Where(c => both.Contains(c)).ToList();
        Assert.Equal(ordered, both);
    }

    [Fact]
    public void A_pattern_that_matches_nothing_is_an_error_not_an_empty_green_run()
    {
        var e = Assert.Throws<ArgumentException>(() => ConformanceSuite.Select(["lifecycle.flush-twise"]));
        Assert.Contains("lifecycle.flush-twise", e.Message);
    }
}
