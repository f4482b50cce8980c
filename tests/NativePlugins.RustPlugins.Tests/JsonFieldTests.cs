using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.RustPlugins.Tests.Infrastructure;
using static NativePlugins.RustPlugins.Tests.Infrastructure.RustArtifacts;

namespace NativePlugins.RustPlugins.Tests;

/// <summary>org.nativeplugins.rust.json-field through the .NET host.</summary>
public class JsonFieldTests
{
    [Fact]
    public void Extracts_a_field_as_text()
    {
        using var host = Hosts.WithSamples();
        Assert.Equal(["ada", "bob \"b\" é€😀", "42", "{\"x\": [1, 2]}", "true", "null"],
            TestHosts.Run(host, JsonField, "field=user",
                """{"user": "ada", "n": 1}""",
                """{"n": 2, "user": "bob \"b\" \u00e9€\ud83d\ude00"}""",
                """{"user": 42}""",
                """{"user": {"x": [1, 2]}}""",
                """{"user": true}""",
                """{"other": 1}""",
                """ {"user": null} """));
    }

    [Fact]
    public void Follows_dotted_paths_into_objects_and_arrays()
    {
        using var host = Hosts.WithSamples();
        Assert.Equal(["Paris", "Oslo"], TestHosts.Run(host, JsonField, "field=user.address.city",
            """{"user": {"address": {"city": "Paris"}}}""",
            """{"user": {"address": "unknown"}}""",
            """{"user": {"name": "x", "address": {"zip": 1, "city": "Oslo"}}}"""));
        Assert.Equal(["b"], TestHosts.Run(host, JsonField, "field=tags.1", """{"tags": ["a", "b"]}"""));
    }

    [Fact]
    public void A_malformed_line_is_np_err_input_naming_the_record_and_the_instance_stays_usable()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(JsonField, "field=user");
        Assert.Equal(["a"], TestHosts.Process(instance, """{"user": "a"}"""));

        using var input = TestHosts.Buffer("""{"user": "b"}""", """{"user": "c" """, """{"user": "d"}""");
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => instance.Process(input, output));
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Equal("process", e.Operation);
        Assert.Equal(JsonField, e.PluginId);
        Assert.Equal(Samples, e.FilePath);
        Assert.Equal("record 1 of the batch (record 2 of the stream): malformed JSON at byte 13: " +
                     "expected ',' or '}' in an object", e.PluginMessage);
        Assert.Equal(["b"], output.ToStringList());
        Assert.False(instance.IsPoisoned);
        Assert.Equal(["e"], TestHosts.Process(instance, """{"user": "e"}"""));
    }

    [Fact]
    public void On_error_skip_drops_malformed_lines_and_warns_through_the_host_logger_at_flush()
    {
        var logs = new ListLoggerFactory();
        using var host = Hosts.WithSamples(logs);
        Assert.Equal(["ok"], TestHosts.Run(host, JsonField, "field=user;on_error=skip",
            "not json", """{"user": "ok"}""", "", "[1,"));
        var warning = Assert.Single(logs.Entries, e => e.Message.Contains("skipped 3 malformed records of 4"));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(JsonField, warning.Category);
    }

    [Fact]
    public void Missing_fields_are_skipped_emitted_empty_or_an_error()
    {
        using var host = Hosts.WithSamples();
        string[] records = ["""{"a": 1}""", """{"b": 2}"""];
        Assert.Equal(["1"], TestHosts.Run(host, JsonField, "field=a", records));
        Assert.Equal(["1", ""], TestHosts.Run(host, JsonField, "field=a;missing=empty", records));
        var e = Assert.Throws<PluginCallException>(() => TestHosts.Run(host, JsonField, "field=a;missing=fail", records));
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Contains("field 'a' not found", e.PluginMessage);
    }

    [Theory]
    [InlineData("", "missing required config key 'field'")]
    [InlineData("field=a;colour=red", "unknown config key 'colour' (known keys: field, on_error, missing)")]
    [InlineData("field=a;on_error=maybe", "config key 'on_error' must be one of fail|skip, got 'maybe'")]
    [InlineData("field=a..b", "config key 'field': empty segment in path 'a..b'")]
    public void Bad_configs_are_np_err_config_with_a_message(string config, string message)
    {
        using var host = Hosts.WithSamples();
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(JsonField, config));
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        Assert.Equal("create", e.Operation);
        Assert.Contains(message, e.PluginMessage);
    }

    [Fact]
    public void Large_records_and_small_host_buffers()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(JsonField, "field=big");
        var big = string.Concat(Enumerable.Repeat("é\\n", 300_000));
        using var input = TestHosts.Buffer($$"""{"pad": [1, 2, 3], "big": "{{big}}"}""", """{"big": "x"}""");
        using var output = new RecordBuffer(initialDataCapacity: 1, initialRecordCapacity: 1);
        instance.Process(input, output);
        Assert.Equal(string.Concat(Enumerable.Repeat("é\n", 300_000)), output.GetString(0));
        Assert.Equal("x", output.GetString(1));
        Assert.True(output.ReserveCalls > 0);
    }
}
