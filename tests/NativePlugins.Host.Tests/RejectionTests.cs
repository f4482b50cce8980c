using System.Text.Json;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>
/// Rule H3 against the deliberately broken libraries of native/fixtures: each one is refused with the right typed
/// reason, its file and (when the descriptor got that far) its plugin id; and after every refusal the same host
/// still loads and runs a good plugin.
/// </summary>
public class RejectionTests
{
    public static TheoryData<string, PluginLoadError, string?, string> Refused => new()
    {
        { "libnp_fixture_empty.so", PluginLoadError.EmptyFile, null, "0 bytes" },
        { "libnp_fixture_not_elf.so", PluginLoadError.NotALibrary, null, "not an ELF shared library" },
        { "libnp_fixture_missing_entry.so", PluginLoadError.MissingEntry, null, "np_entry" },
        { "libnp_fixture_data_entry.so", PluginLoadError.EntryNotAFunction, null, "data symbol" },
        { "libnp_fixture_null_library.so", PluginLoadError.NullLibrary, null, "no library descriptor" },
        { "libnp_fixture_wrong_major.so", PluginLoadError.VersionMismatch, null, "ABI 2.0" },
        { "libnp_fixture_wrong_major_accepts.so", PluginLoadError.VersionMismatch, null, "ABI 2.0" },
        { "libnp_fixture_small_descriptor.so", PluginLoadError.StructTooSmall, "org.nativeplugins.fixture.small-descriptor", "struct_size" },
        { "libnp_fixture_small_vtable.so", PluginLoadError.StructTooSmall, "org.nativeplugins.fixture.small-vtable", "np.transform/1 vtable" },
        { "libnp_fixture_null_function.so", PluginLoadError.NullFunction, "org.nativeplugins.fixture.null-function", "np_transform_v1_t.process is NULL" },
        { "libnp_fixture_bad_utf8_id.so", PluginLoadError.InvalidUtf8, @"org.nativeplugins.fixture.bad\xffutf8", "not valid UTF-8" },
        { "libnp_fixture_duplicate_id.so", PluginLoadError.DuplicateId, "org.nativeplugins.fixture.dup-within", "same id" },
        { "libnp_fixture_layout_mismatch.so", PluginLoadError.LayoutMismatch, null, "np_transform_v1_t.process" },
        { "libnp_fixture_init_fails.so", PluginLoadError.InitFailed, "org.nativeplugins.fixture.init-fails", "init fails on purpose" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Broken_library_is_refused_with_a_typed_reason_and_the_host_keeps_working(
        string file, PluginLoadError reason, string? pluginId, string detail) =>
        AssertRefusedAndHostKeepsWorking(file, reason, pluginId, detail);

    /// <summary>The fixture <paramref name="file"/> is refused with <paramref name="reason"/>, its file, plugin id and a
    /// one-line message holding <paramref name="detail"/>; the host that refused it still runs a good plugin, and
    /// refusing again gives the same reason. Every rejection test of a fixture library asserts this.</summary>
    internal static void AssertRefusedAndHostKeepsWorking(string file, PluginLoadError reason, string? pluginId, string detail)
    {
        using var host = Create();
        host.Load(RepoLayout.Fixture("libnp_fixture_good.so"));
        var path = RepoLayout.Fixture(file);

        var e = Assert.Throws<PluginLoadException>(() => host.Load(path));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(pluginId, e.PluginId);
        Assert.Contains(detail, e.Message);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // Nothing of the refused library is registered; the loaded one and new ones still work.
        Assert.Single(host.Libraries);
        Assert.Equal(["RECORD"], Run(host, "org.nativeplugins.fixture.good", "", "RECORD"));
        AssertStillWorks(host);
        Assert.False(host.TryLoad(path, out _, out var again)); // and refusing is repeatable
        Assert.Equal(reason, again!.Reason);
    }

    [Fact]
    public void The_same_id_in_two_libraries_refuses_the_second_naming_the_first()
    {
        using var host = Create();
        var a = RepoLayout.Fixture("libnp_fixture_duplicate_a.so");
        var b = RepoLayout.Fixture("libnp_fixture_duplicate_b.so");
        host.Load(a);
        var e = Assert.Throws<PluginLoadException>(() => host.Load(b));
        Assert.Equal(PluginLoadError.DuplicateId, e.Reason);
        Assert.Equal(b, e.FilePath);
        Assert.Equal("org.nativeplugins.fixture.dup", e.PluginId);
        Assert.Contains(a, e.Message);
        Assert.Equal(a, host.GetLibrary("org.nativeplugins.fixture.dup").FilePath);
        AssertStillWorks(host);

        // Alone, b is a fine library.
        using var other = Create();
        other.Load(b);
    }

    [Fact]
    public void A_newer_minor_library_is_accepted_and_its_extra_fields_ignored()
    {
        using var host = Create();
        var lib = host.Load(RepoLayout.Fixture("libnp_fixture_newer_minor.so"));
        Assert.Equal(new AbiVersion(1, 4), lib.LibraryAbi); // the fixture's own minor, newer than the header's
        Assert.Equal(AbiVersion.Current, lib.AgreedAbi);
        Assert.Equal("fixture/1.4", lib.Sdk);
        var p = Assert.Single(lib.Plugins);
        Assert.Equal("org.nativeplugins.fixture.newer-minor", p.Id);
        using var instance = host.CreateTransform(p.Id);
        Assert.True(instance.SupportsStats);
        using var input = Buffer("one", "two");
        using var output = new RecordBuffer();
        instance.Process(input, output);
        instance.Flush(output);
        Assert.Equal(["one", "two"], output.ToStringList());
        Assert.True(instance.TryGetStats(out var s));
        Assert.Equal(2ul, s.RecordsIn);
    }

    [Fact]
    public void An_older_minor_library_runs_without_stats_and_nothing_beyond_its_struct_size_is_read()
    {
        // The fixture puts a trap (a function that aborts the process) right after its 1.0 vtable: reading past
        // struct_size and calling it would end this test run.
        using var host = Create();
        var lib = host.Load(RepoLayout.Fixture("libnp_fixture_older_minor.so"));
        Assert.Equal(new AbiVersion(1, 0), lib.LibraryAbi);
        Assert.Equal(new AbiVersion(1, 0), lib.AgreedAbi);
        Assert.Equal(Interop.NpAbi.NP_LAYOUT_FINGERPRINT_1_0, lib.LayoutFingerprint);
        using var instance = host.CreateTransform("org.nativeplugins.fixture.older-minor");
        Assert.False(instance.SupportsStats);
        Assert.False(instance.TryGetStats(out _));
        Assert.Equal(["x"], Run(host, "org.nativeplugins.fixture.older-minor", "", "x"));
    }

    [Fact]
    public void Every_fixture_in_the_manifest_is_refused_or_loaded_as_it_says()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.FixtureDir, "fixtures.json")));
        var fixtures = doc.RootElement.GetProperty("fixtures").EnumerateArray().ToList();
        Assert.NotEmpty(fixtures);
        foreach (var f in fixtures)
        {
            var file = f.GetProperty("file").GetString()!;
            using var host = Create();
            if (f.TryGetProperty("after", out var after))
                foreach (var first in after.EnumerateArray()) host.Load(RepoLayout.Fixture(first.GetString()!));
            var path = RepoLayout.Fixture(file);
            bool loaded = host.TryLoad(path, out var lib, out var error);
            if (f.GetProperty("expect").GetString() == "refuse")
            {
                Assert.False(loaded, $"{file} should be refused");
                Assert.Equal(path, error!.FilePath);
            }
            else
            {
                Assert.True(loaded, $"{file} should load: {error?.Message}");
                Assert.Equal(f.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()), lib!.Plugins.Select(p => p.Id));
                Assert.Equal((uint)f.GetProperty("agreed_minor").GetInt32(), lib.AgreedAbi.Minor);
                Assert.Equal((uint)f.GetProperty("library_minor").GetInt32(), lib.LibraryAbi.Minor);
                using var instance = host.CreateTransform(lib.Plugins[0].Id);
                Assert.Equal(f.GetProperty("has_stats").GetBoolean(), instance.SupportsStats);
            }
            AssertStillWorks(host);
        }
    }

    [Fact]
    public void Scanning_the_fixture_directory_loads_the_good_ones_and_reports_every_bad_one()
    {
        using var host = Create();
        var result = host.LoadDirectories([RepoLayout.FixtureDir]);
        Assert.Contains(result.Libraries, l => l.FileName == "libnp_fixture_good.so");
        Assert.Contains(result.Errors, e => e.Reason == PluginLoadError.EmptyFile);
        Assert.Contains(result.Errors, e => e.Reason == PluginLoadError.EntryNotAFunction);
        Assert.Contains(result.Errors, e => e.Reason == PluginLoadError.LayoutMismatch);
        Assert.All(result.Errors, e => Assert.StartsWith(RepoLayout.FixtureDir, e.FilePath));
        AssertStillWorks(host);
    }
}
