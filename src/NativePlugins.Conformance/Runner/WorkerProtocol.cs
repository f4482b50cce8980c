using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativePlugins.Conformance.Runner;

/// <summary>What the runner asks of a worker (sent as one JSON document on the worker's stdin).</summary>
/// <param name="Library">The library file.</param>
/// <param name="Describe">Report the library's plugins first (the runner plans per-plugin checks from it).</param>
/// <param name="Units">The checks to run, in order.</param>
/// <param name="Settings">The inputs the checks use.</param>
/// <param name="Interfaces">The contracts of the interface checks (<see cref="ConformanceOptions.Interfaces"/>).</param>
internal sealed record WorkerRequest(string Library, bool Describe, IReadOnlyList<WorkUnit> Units, SuiteSettings Settings,
    IReadOnlyList<InterfaceContractWire>? Interfaces = null);

/// <summary>
/// One line of the worker's protocol stream (JSON lines on the worker's original stdout; the plugin's own stdout is
/// redirected to stderr so it cannot corrupt the stream). "described" once, then per unit "start", any number of
/// "phase", "result"; "done" at the end. A unit that started and has no result when the stream ends crashed.
/// </summary>
internal sealed record WorkerEvent(
    string Event,
    int? Unit = null,
    string? Text = null,
    LibraryDescription? Description = null,
    CheckResult? Result = null)
{
    public const string Described = "described", Start = "start", Phase = "phase", Finished = "result", Done = "done";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(WorkerRequest))]
[JsonSerializable(typeof(WorkerEvent))]
internal sealed partial class WorkerJson : JsonSerializerContext
{
    public static string Serialize(WorkerEvent e) => JsonSerializer.Serialize(e, Default.WorkerEvent);
    public static string Serialize(WorkerRequest r) => JsonSerializer.Serialize(r, Default.WorkerRequest);
    public static WorkerEvent? ParseEvent(string line) => JsonSerializer.Deserialize(line, Default.WorkerEvent);
    public static WorkerRequest? ParseRequest(string json) => JsonSerializer.Deserialize(json, Default.WorkerRequest);
}
