using NativePlugins.Hosting;
using NativePlugins.RustPlugins.Tests.Infrastructure;
using static NativePlugins.RustPlugins.Tests.Infrastructure.RustArtifacts;

namespace NativePlugins.RustPlugins.Tests;

/// <summary>Rust and C plugins in one host and one pipeline: one ABI, whatever the plugin's language.</summary>
public class CrossLanguageTests
{
    [Fact]
    public void A_pipeline_of_rust_json_field_c_upper_and_rust_dedup()
    {
        using var host = Hosts.WithSamples();
        host.Load(CText);
        using var pipeline = host.CreatePipeline([
            new PipelineStage(JsonField, "field=user.name"),
            new PipelineStage(CUpper),
            new PipelineStage(Dedup),
        ]);
        using var input = TestHosts.Buffer(
            """{"user": {"name": "ada"}}""",
            """{"user": {"name": "Ada"}}""",
            """{"user": {"name": "zoë"}}""",
            """{"event": "heartbeat"}""",
            """{"user": {"name": "ZOË"}}""");
        var output = pipeline.Process(input).ToStringList();
        Assert.Equal(["ADA", "ZOË"], output);
        Assert.Empty(pipeline.Flush().ToStringList());
    }
}
