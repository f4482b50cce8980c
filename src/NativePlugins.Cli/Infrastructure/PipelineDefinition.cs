using System.Text.Json;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>
/// A pipeline described in a file, so that the demo (and anyone) can change the stages without touching code:
/// <code>
/// {
///   "description": "what it shows",
///   "input": "events.jsonl",                      // relative to the definition file
///   "stages": [
///     { "plugin": "org.nativeplugins.c.grep", "config": "pattern=error", "note": "keep errors" },
///     { "plugin": "org.nativeplugins.rust.dedup", "optional": true }
///   ]
/// }
/// </code>
/// An optional stage whose plugin is not loaded is skipped with a note instead of failing the run.
/// </summary>
public sealed record PipelineDefinition(string? Description, string? Input, IReadOnlyList<PipelineDefinitionStage> Stages)
{
    public static PipelineDefinition Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot read the pipeline definition: {e.Message}", e);
        }
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new UsageException($"{path}: the top level must be an object");
            var stages = new List<PipelineDefinitionStage>();
            if (!root.TryGetProperty("stages", out var st) || st.ValueKind != JsonValueKind.Array)
                throw new UsageException($"{path}: \"stages\" must be an array");
            int n = 0;
            foreach (var s in st.EnumerateArray())
            {
                n++;
                if (s.ValueKind != JsonValueKind.Object) throw new UsageException($"{path}: stage {n} must be an object");
                var plugin = String(s, "plugin") ?? throw new UsageException($"{path}: stage {n} has no \"plugin\"");
                stages.Add(new PipelineDefinitionStage(plugin, String(s, "config") ?? "",
                    s.TryGetProperty("optional", out var o) && o.ValueKind == JsonValueKind.True, String(s, "note")));
            }
            if (stages.Count == 0) throw new UsageException($"{path}: the pipeline has no stages");
            var input = String(root, "input");
            if (input is not null && !Path.IsPathRooted(input))
                input = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, input);
            return new PipelineDefinition(String(root, "description"), input, stages);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not valid JSON: {e.Message}");
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>One stage of a <see cref="PipelineDefinition"/>.</summary>
public sealed record PipelineDefinitionStage(string Plugin, string Config, bool Optional, string? Note)
{
    public PipelineStage ToStage() => new(Plugin, Config);
}
