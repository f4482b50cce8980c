using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Acme.Greeter;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Host.Tests.Interfaces;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Diagnostics;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;

namespace NativePlugins.Host.Tests;

/// <summary>
/// The host's meter (System.Diagnostics.Metrics) as a MeterListener sees it: calls, records in and out, and failures
/// per plugin, tagged with plugin id, interface id, operation and, for failures, the error type; one measurement per
/// call (per batch), never per record. Each test gives its host a meter factory of its own and listens to that
/// factory's meter only, so tests running in parallel cannot add to its figures.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    private sealed record Measurement(string Instrument, long Value, Dictionary<string, object?> Tags);

    public MetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == _meters) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var d = new Dictionary<string, object?>();
            foreach (var t in tags) d[t.Key] = t.Value;
            _measurements.Enqueue(new Measurement(instrument.Name, value, d));
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private PluginHost CreateHost(bool greeter = false) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        MeterFactory = _meters,
        Interfaces = greeter ? [AcmeGreeterV1.Contract] : [],
    });

    private List<Measurement> Of(string instrument, string? operation = null) =>
        _measurements.Where(m => m.Instrument == instrument &&
            (operation is null || Equals(m.Tags[PluginTelemetry.OperationTag], operation))).ToList();

    [Fact]
    public void A_batch_is_one_call_measurement_and_its_records_are_counted_once_per_batch()
    {
        using var host = CreateHost();
        host.Load(NativeArtifacts.CText);
        using var instance = host.CreateTransform(Upper);
        var records = Enumerable.Range(0, 100).Select(i => $"r{i}").ToArray();

        Assert.Equal(100, TestHosts.Run(instance, records).Count);

        var process = Assert.Single(Of(PluginTelemetry.CallsInstrument, "process"));
        Assert.Equal(1, process.Value);
        Assert.Equal(Upper, process.Tags[PluginTelemetry.PluginIdTag]);
        Assert.Equal("np.transform/1", process.Tags[PluginTelemetry.InterfaceIdTag]);
        Assert.Single(Of(PluginTelemetry.CallsInstrument, "flush"));
        Assert.Equal(100, Assert.Single(Of(PluginTelemetry.RecordsInInstrument)).Value);
        Assert.Equal(100, Assert.Single(Of(PluginTelemetry.RecordsOutInstrument, "process")).Value);
        // The create is a call too, and nothing failed.
        Assert.Single(Of(PluginTelemetry.CallsInstrument, "create"));
        Assert.Empty(Of(PluginTelemetry.FailuresInstrument));
    }

    [Fact]
    public void A_pipeline_is_counted_per_stage_with_each_stage_plugin_id()
    {
        using var host = CreateHost();
        host.Load(NativeArtifacts.CText);
        using var pipeline = host.CreatePipeline([new PipelineStage(Upper), new PipelineStage(Grep, "pattern=A")]);
        using var input = TestHosts.Buffer("apple", "berry", "banana");

        Assert.Equal(["APPLE", "BANANA"], pipeline.Process(input).ToStringList());

        long Sum(string instrument, string plugin) =>
            Of(instrument, "process").Where(m => Equals(m.Tags[PluginTelemetry.PluginIdTag], plugin)).Sum(m => m.Value);
        Assert.Equal(3, Sum(PluginTelemetry.RecordsInInstrument, Upper));
        Assert.Equal(3, Sum(PluginTelemetry.RecordsOutInstrument, Upper));
        Assert.Equal(3, Sum(PluginTelemetry.RecordsInInstrument, Grep));
        Assert.Equal(2, Sum(PluginTelemetry.RecordsOutInstrument, Grep));
        Assert.Equal(1, Sum(PluginTelemetry.CallsInstrument, Grep));
    }

    [Fact]
    public void A_failing_process_is_a_failure_tagged_with_the_status_name()
    {
        using var host = CreateHost();
        host.Load(NativeArtifacts.CText);
        using var instance = host.CreateTransform(Upper);
        using var input = new RecordBuffer();
        input.Append("ok");
        input.Append([0xff, 0xfe]);
        using var output = new RecordBuffer();

        Assert.Throws<PluginCallException>(() => instance.Process(input, output));

        var failure = Assert.Single(Of(PluginTelemetry.FailuresInstrument));
        Assert.Equal("NP_ERR_INPUT", failure.Tags[PluginTelemetry.ErrorTypeTag]);
        Assert.Equal("process", failure.Tags[PluginTelemetry.OperationTag]);
        Assert.Equal(Upper, failure.Tags[PluginTelemetry.PluginIdTag]);
        // The failed call was still a call, which took two records and emitted the one before the bad one.
        Assert.Single(Of(PluginTelemetry.CallsInstrument, "process"));
        Assert.Equal(1, Assert.Single(Of(PluginTelemetry.RecordsOutInstrument)).Value);
    }

    [Fact]
    public void A_refused_create_is_a_failure_of_the_create_operation()
    {
        using var host = CreateHost();
        host.Load(NativeArtifacts.CText);

        Assert.Throws<PluginCallException>(() => host.CreateTransform(Grep, ""));

        var failure = Assert.Single(Of(PluginTelemetry.FailuresInstrument));
        Assert.Equal("NP_ERR_CONFIG", failure.Tags[PluginTelemetry.ErrorTypeTag]);
        Assert.Equal("create", failure.Tags[PluginTelemetry.OperationTag]);
        Assert.Equal(Grep, failure.Tags[PluginTelemetry.PluginIdTag]);
    }

    [Fact]
    public void Calls_of_a_registered_interface_are_counted_per_function()
    {
        using var host = CreateHost(greeter: true);
        host.Load(Greeters.Library);
        using var greeter = host.Create<AcmeGreeterV1>(Greeters.Greeter);

        greeter.Greet("a");
        greeter.Greet("b");
        greeter.Add(1, 2);

        var greets = Of(PluginTelemetry.CallsInstrument, "greet");
        Assert.Equal(2, greets.Count);
        Assert.All(greets, m => Assert.Equal(AcmeGreeterV1.Contract.Id, m.Tags[PluginTelemetry.InterfaceIdTag]));
        Assert.Single(Of(PluginTelemetry.CallsInstrument, "add"));
    }

    [Fact]
    public void Without_a_listener_nothing_is_measured_and_calls_still_work()
    {
        _listener.Dispose();
        using var host = CreateHost();
        host.Load(NativeArtifacts.CText);

        Assert.Equal(["X"], TestHosts.Run(host, Upper, "", "x"));
        Assert.Empty(_measurements);
    }

    [Fact]
    public void A_host_without_a_meter_factory_records_to_the_shared_meter_of_the_same_name()
    {
        using var listener = new MeterListener();
        var seen = new ConcurrentBag<string>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PluginTelemetry.SourceName && instrument.Meter.Scope is null)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            foreach (var t in tags)
                if (t.Key == PluginTelemetry.PluginIdTag && Equals(t.Value, Upper)) seen.Add(instrument.Name);
        });
        listener.Start();
        using var host = TestHosts.Create();
        host.Load(NativeArtifacts.CText);

        TestHosts.Run(host, Upper, "", "x");

        Assert.Contains(PluginTelemetry.CallsInstrument, seen);
        Assert.Contains(PluginTelemetry.RecordsInInstrument, seen);
    }

    /// <summary>An IMeterFactory as the container's is: meters scoped to the factory and disposed with it.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (_meters) _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
                foreach (var m in _meters) m.Dispose();
        }
    }
}

/// <summary>
/// The host's spans (ActivitySource <c>NativePlugins.Host</c>) as an ActivityListener sees them: a load and a create
/// with file, plugin id and outcome; a refused library with error status and its typed reason. The source is
/// process-wide, so each test runs under a parent activity of its own and keeps only the spans of its trace.
/// </summary>
public sealed class ActivityTests : IDisposable
{
    private const string TestSourceName = "NativePlugins.Host.Tests.ActivityTests";
    private static readonly ActivitySource TestSource = new(TestSourceName);
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly Activity _parent;

    public ActivityTests()
    {
        _listener = new ActivityListener
        {
            // By name: comparing with TestSource here could create it inside AddActivityListener, before this
            // listener is registered, and the listener would then never hear of it.
            ShouldListenTo = s => s.Name is PluginTelemetry.SourceName or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
        _parent = TestSource.StartActivity("test")!;
    }

    public void Dispose()
    {
        _parent.Dispose();
        _listener.Dispose();
    }

    private List<Activity> Spans(string name) =>
        _stopped.Where(a => a.TraceId == _parent.TraceId && a.OperationName == name).ToList();

    [Fact]
    public void Loading_a_library_and_creating_an_instance_are_spans_with_file_plugin_and_outcome()
    {
        using var host = TestHosts.Create();
        var library = host.Load(NativeArtifacts.CText);
        host.CreateTransform(Upper).Dispose();

        var load = Assert.Single(Spans(PluginTelemetry.LoadActivity));
        Assert.Equal(library.FilePath, load.GetTagItem(PluginTelemetry.FileTag));
        Assert.Contains(Upper, (string)load.GetTagItem(PluginTelemetry.PluginIdTag)!);
        Assert.Contains(Grep, (string)load.GetTagItem(PluginTelemetry.PluginIdTag)!);
        Assert.Equal(PluginTelemetry.OutcomeOk, load.GetTagItem(PluginTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, load.Status);
        Assert.Equal(_parent.SpanId, load.ParentSpanId);

        var create = Assert.Single(Spans(PluginTelemetry.CreateActivity));
        Assert.Equal(Upper, create.GetTagItem(PluginTelemetry.PluginIdTag));
        Assert.Equal("np.transform/1", create.GetTagItem(PluginTelemetry.InterfaceIdTag));
        Assert.Equal(library.FilePath, create.GetTagItem(PluginTelemetry.FileTag));
        Assert.Equal(PluginTelemetry.OutcomeOk, create.GetTagItem(PluginTelemetry.OutcomeTag));
    }

    [Theory]
    [InlineData("libnp_fixture_missing_entry.so", PluginLoadError.MissingEntry)]
    [InlineData("libnp_fixture_init_fails.so", PluginLoadError.InitFailed)]
    public void A_refused_library_is_a_span_with_error_status_and_the_typed_reason(string fixture, PluginLoadError reason)
    {
        using var host = TestHosts.Create();
        var path = RepoLayout.Fixture(fixture);

        var error = Assert.Throws<PluginLoadException>(() => host.Load(path));

        var load = Assert.Single(Spans(PluginTelemetry.LoadActivity));
        Assert.Equal(ActivityStatusCode.Error, load.Status);
        Assert.Equal(error.Message, load.StatusDescription);
        Assert.Equal(reason.ToString(), load.GetTagItem(PluginTelemetry.ErrorTypeTag));
        Assert.Equal(path, load.GetTagItem(PluginTelemetry.FileTag));
        Assert.Equal(PluginTelemetry.OutcomeRefused, load.GetTagItem(PluginTelemetry.OutcomeTag));
    }

    [Fact]
    public void A_failed_create_is_a_span_with_error_status_and_the_status_name()
    {
        using var host = TestHosts.Create();
        host.Load(NativeArtifacts.CText);

        Assert.Throws<PluginCallException>(() => host.CreateTransform(Grep, ""));

        var create = Assert.Single(Spans(PluginTelemetry.CreateActivity));
        Assert.Equal(ActivityStatusCode.Error, create.Status);
        Assert.Equal("NP_ERR_CONFIG", create.GetTagItem(PluginTelemetry.ErrorTypeTag));
        Assert.Equal(PluginTelemetry.OutcomeRefused, create.GetTagItem(PluginTelemetry.OutcomeTag));
    }

    [Fact]
    public void Every_file_of_a_directory_scan_is_a_span_of_its_own()
    {
        using var dir = new TempDirectory();
        File.Copy(NativeArtifacts.CText, Path.Combine(dir.Path, "libnp_c_text.so"));
        File.Copy(RepoLayout.Fixture("libnp_fixture_missing_entry.so"), Path.Combine(dir.Path, "libnp_broken.so"));
        using var host = TestHosts.Create();

        var result = host.LoadDirectories([dir.Path]);

        Assert.Single(result.Libraries);
        var spans = Spans(PluginTelemetry.LoadActivity);
        Assert.Equal(2, spans.Count);
        Assert.Single(spans, s => s.Status == ActivityStatusCode.Error);
    }
}

/// <summary>The options a host runs with are a frozen copy: the caller's instance and lists may change afterwards
/// without changing the host, and the host's copy refuses changes.</summary>
public class OptionsFreezeTests
{
    [Fact]
    public void The_host_keeps_a_frozen_copy_of_its_options()
    {
        var paths = new List<string> { "/a" };
        var options = new PluginHostOptions { SearchPaths = paths, UseEnvironmentSearchPath = false };
        using var host = new PluginHost(options);

        paths.Add("/b");
        options.Recursive = true;

        Assert.Equal(["/a"], host.Options.SearchPaths);
        Assert.False(host.Options.Recursive);
        Assert.True(host.Options.IsFrozen);
        Assert.False(options.IsFrozen);
        var e = Assert.Throws<InvalidOperationException>(() => host.Options.Recursive = true);
        Assert.Contains("before creating the host", e.Message);
    }

    [Fact]
    public void A_null_collection_is_refused_naming_the_property()
    {
        var e = Assert.Throws<ArgumentException>(() => new PluginHost(new PluginHostOptions { SearchPaths = null! }));
        Assert.Contains("SearchPaths", e.Message);
    }
}
