using System.Text;
using System.Text.Json;

namespace NativePlugins.Conformance.Reporting;

/// <summary>
/// <c>--json</c>: the report as one JSON document (schema below, stable for tools).
/// <code>
/// { "passed": n, "failed": n, "skipped": n, "durationMs": n, "exitCode": 0|1,
///   "libraries": [ { "path", "sdk", "describeError", "passed", "failed", "skipped", "durationMs",
///                    "plugins": [ { "index", "id", "threading", "interfaces": [..] } ],
///                    "results": [ { "check", "rule", "plugin", "verdict": "pass|fail|skip", "summary",
///                                   "details": [..], "durationMs" } ] } ] }
/// </code>
/// </summary>
public static class JsonReporter
{
    public static void Write(ConformanceReport report, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteNumber("passed", report.Passed);
            j.WriteNumber("failed", report.Failed);
            j.WriteNumber("skipped", report.Skipped);
            j.WriteNumber("durationMs", Math.Round(report.Duration.TotalMilliseconds, 1));
            j.WriteNumber("exitCode", report.ExitCode);
            j.WriteStartArray("libraries");
            foreach (var l in report.Libraries) WriteLibrary(j, l);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        output.Flush();
    }

    private static void WriteLibrary(Utf8JsonWriter j, LibraryReport l)
    {
        j.WriteStartObject();
        j.WriteString("path", l.Path);
        j.WriteString("sdk", l.Sdk);
        j.WriteString("describeError", l.DescribeError);
        j.WriteNumber("passed", l.Passed);
        j.WriteNumber("failed", l.Failed);
        j.WriteNumber("skipped", l.Skipped);
        j.WriteNumber("durationMs", Math.Round(l.Duration.TotalMilliseconds, 1));
        j.WriteStartArray("plugins");
        foreach (var p in l.Plugins)
        {
            j.WriteStartObject();
            j.WriteNumber("index", p.Index);
            j.WriteString("id", p.Id);
            j.WriteString("threading", p.Threading);
            j.WriteStartArray("interfaces");
            foreach (var i in p.Interfaces) j.WriteStringValue(i);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("results");
        foreach (var r in l.Results)
        {
            j.WriteStartObject();
            j.WriteString("check", r.Check);
            j.WriteString("rule", r.Rule);
            j.WriteString("plugin", r.PluginId);
            if (r.InterfaceId is not null) j.WriteString("interface", r.InterfaceId);
            j.WriteString("verdict", r.Verdict.ToString().ToLowerInvariant());
            j.WriteString("summary", r.Summary);
            j.WriteStartArray("details");
            foreach (var d in r.Details) j.WriteStringValue(d);
            j.WriteEndArray();
            j.WriteNumber("durationMs", Math.Round(r.Duration.TotalMilliseconds, 1));
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }
}
