using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace NativePlugins.Conformance.Reporting;

/// <summary>
/// <c>--junit file</c>: JUnit XML as CI systems read it (GitLab, Jenkins, GitHub test reporters): one testsuite per
/// library, one testcase per check and plugin (classname <c>nplug.check.&lt;library&gt;[.&lt;plugin&gt;]</c>, name
/// <c>&lt;check&gt; [rule]</c>), failure message = the summary, failure text = every detail line.
/// </summary>
public static class JUnitReporter
{
    public static void Write(ConformanceReport report, string path)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var writer = XmlWriter.Create(path, settings);
        Build(report).Save(writer);
    }

    public static XDocument Build(ConformanceReport report)
    {
        var root = new XElement("testsuites",
            new XAttribute("name", "nplug check"),
            new XAttribute("tests", report.Libraries.Sum(l => l.Results.Count)),
            new XAttribute("failures", report.Failed),
            new XAttribute("errors", 0),
            new XAttribute("skipped", report.Skipped),
            new XAttribute("time", Seconds(report.Duration)));
        foreach (var l in report.Libraries)
        {
            var name = Path.GetFileName(l.Path);
            var suite = new XElement("testsuite",
                new XAttribute("name", name),
                new XAttribute("tests", l.Results.Count),
                new XAttribute("failures", l.Failed),
                new XAttribute("errors", 0),
                new XAttribute("skipped", l.Skipped),
                new XAttribute("time", Seconds(l.Duration)),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "path"), new XAttribute("value", l.Path)),
                    new XElement("property", new XAttribute("name", "sdk"), new XAttribute("value", l.Sdk ?? "")),
                    new XElement("property", new XAttribute("name", "plugins"), new XAttribute("value", string.Join(" ", l.Plugins.Select(p => p.Id))))));
            if (l.DescribeError is { } error) suite.Add(new XElement("system-err", Clean(error)));
            foreach (var r in l.Results)
            {
                var testcase = new XElement("testcase",
                    new XAttribute("classname", $"nplug.check.{name}{(r.PluginId is null ? "" : "." + r.PluginId)}{(r.InterfaceId is null ? "" : "." + r.InterfaceId)}"),
                    new XAttribute("name", $"{r.Check} [{r.Rule}]"),
                    new XAttribute("time", Seconds(r.Duration)));
                switch (r.Verdict)
                {
                    case CheckVerdict.Fail:
                        testcase.Add(new XElement("failure",
                            new XAttribute("message", Clean(r.Summary)),
                            new XAttribute("type", $"rule {r.Rule}"),
                            Clean(string.Join("\n", [r.Summary, .. r.Details]))));
                        break;
                    case CheckVerdict.Skip:
                        testcase.Add(new XElement("skipped", new XAttribute("message", Clean(r.Summary))));
                        break;
                    default:
                        if (r.Details.Count > 0 || r.Summary.Length > 0)
                            testcase.Add(new XElement("system-out", Clean(string.Join("\n", [r.Summary, .. r.Details]))));
                        break;
                }
                suite.Add(testcase);
            }
            root.Add(suite);
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot carry most control characters; plugin messages may contain them.</summary>
    private static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
            sb.Append(ch is '\t' or '\n' or '\r' || ch >= 0x20 ? ch : '?');
        return sb.ToString();
    }
}
