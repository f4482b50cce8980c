using System.Text.Json;
using System.Xml.Linq;
using NativePlugins.Conformance.Reporting;

namespace NativePlugins.Conformance.Tests;

/// <summary>JSON and JUnit output of a report with every verdict, and the exit code rule.</summary>
public class ReporterTests
{
    private static ConformanceReport Sample()
    {
        var results = new List<CheckResult>
        {
            new("negotiation.current", "P1", null, CheckVerdict.Pass, "host 1.1: NP_OK", [], TimeSpan.FromMilliseconds(3)),
            new("lifecycle.flush-twice", "P8", "org.example.a", CheckVerdict.Fail, "the second flush emitted 1 record",
                ["the second flush emitted 1 record", "ctrl \u0001 char"], TimeSpan.FromMilliseconds(12)),
            new("threading.thread-safe-instance", "P9", "org.example.a", CheckVerdict.Skip, "declares SINGLE", [], TimeSpan.Zero),
        };
        var library = new LibraryReport("/tmp/libx.so", "nplug-c/0.1", [new PluginSummary(0, "org.example.a", "single", ["np.transform/1"])],
            null, results, TimeSpan.FromSeconds(1.5));
        return new ConformanceReport([library], TimeSpan.FromSeconds(1.6));
    }

    [Fact]
    public void Exit_code_is_zero_only_without_failures()
    {
        var report = Sample();
        Assert.Equal(ConformanceExitCodes.ChecksFailed, report.ExitCode);
        var fixedUp = report with
        {
            Libraries = [report.Libraries[0] with { Results = report.Libraries[0].Results.Where(r => r.Verdict != CheckVerdict.Fail).ToList() }],
        };
        Assert.Equal(ConformanceExitCodes.Success, fixedUp.ExitCode); // skips do not fail a run
    }

    [Fact]
    public void Json_report_carries_every_result_with_lowercase_verdicts()
    {
        var writer = new StringWriter();
        JsonReporter.Write(Sample(), writer);
        using var doc = JsonDocument.Parse(writer.ToString());
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        var results = root.GetProperty("libraries")[0].GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal("fail", results[1].GetProperty("verdict").GetString());
        Assert.Equal("org.example.a", results[1].GetProperty("plugin").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("plugin").ValueKind);
    }

    [Fact]
    public void Junit_report_has_a_failure_and_a_skipped_element_and_valid_xml()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nplug-check-{Guid.NewGuid():N}.xml");
        try
        {
            JUnitReporter.Write(Sample(), path);
            var doc = XDocument.Load(path); // throws on invalid XML (the control character must have been cleaned)
            var suite = doc.Root!.Element("testsuite")!;
            Assert.Equal("3", suite.Attribute("tests")!.Value);
            Assert.Equal("1", suite.Attribute("failures")!.Value);
            Assert.Equal("1", suite.Attribute("skipped")!.Value);
            var failed = suite.Elements("testcase").Single(t => t.Element("failure") is not null);
            Assert.Equal("lifecycle.flush-twice [P8]", failed.Attribute("name")!.Value);
            Assert.Equal("nplug.check.libx.so.org.example.a", failed.Attribute("classname")!.Value);
            Assert.Contains("second flush", failed.Element("failure")!.Attribute("message")!.Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Console_report_without_a_terminal_is_plain_text()
    {
        var writer = new StringWriter();
        new ConsoleReporter(writer, isTerminal: false).Print(Sample());
        var text = writer.ToString();
        Assert.DoesNotContain("\u001b[", text); // no ANSI escapes in CI logs
        Assert.Contains("lifecycle.flush-twice", text);
        Assert.Contains("1 passed, 1 failed, 1 skipped", text);
    }

    [Fact]
    public void Interface_results_name_their_interface_in_json_and_junit()
    {
        var result = new CheckResult("interface.layout", "P2", "org.example.greeter", CheckVerdict.Fail,
            "acme.greeter/1: acme_greeter_v1_t.add: offset 24 in the library, 32 in the contract's minor 1", [], TimeSpan.Zero, "acme.greeter/1");
        var report = new ConformanceReport([new LibraryReport("/tmp/libg.so", "c", [new PluginSummary(0, "org.example.greeter", "single", ["acme.greeter/1"])],
            null, [result], TimeSpan.Zero)], TimeSpan.Zero);

        var writer = new StringWriter();
        JsonReporter.Write(report, writer);
        using var doc = JsonDocument.Parse(writer.ToString());
        Assert.Equal("acme.greeter/1", doc.RootElement.GetProperty("libraries")[0].GetProperty("results")[0].GetProperty("interface").GetString());

        var path = Path.Combine(Path.GetTempPath(), $"nplug-check-{Guid.NewGuid():N}.xml");
        try
        {
            JUnitReporter.Write(report, path);
            var testcase = XDocument.Load(path).Descendants("testcase").Single();
            Assert.EndsWith(".org.example.greeter.acme.greeter/1", testcase.Attribute("classname")!.Value);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
