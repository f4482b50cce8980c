using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Discovery;

/// <summary>The registry cache: a warm discovery runs no scanner; a touched, replaced or deleted file is scanned
/// again or forgotten; a corrupt cache file is ignored and rebuilt.</summary>
public class RegistryCacheTests
{
    private static DiscoveryFolder WithTwoLibraries()
    {
        var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        folder.Add(NativeArtifacts.CCounter);
        return folder;
    }

    [Fact]
    public void A_second_discovery_is_answered_from_the_cache_without_running_the_scanner()
    {
        using var folder = WithTwoLibraries();
        var cold = folder.Discover();
        Assert.Equal(2, cold.Statistics.Scanned);
        Assert.Equal(1, cold.Statistics.ScannerRuns);
        Assert.True(File.Exists(folder.CachePath));

        var warm = folder.Discover();
        Assert.Equal(new DiscoveryStatistics(CacheHits: 2, ManifestsUsed: 0, StaleManifests: 0, Scanned: 0, ScannerRuns: 0), warm.Statistics);
        Assert.All(warm.Libraries, l => Assert.Equal(DiscoverySource.Cache, l.Source));
        Assert.Equal(cold.Plugins.Select(p => (p.Id, p.Version, string.Join(",", p.InterfaceDetails))),
            warm.Plugins.Select(p => (p.Id, p.Version, string.Join(",", p.InterfaceDetails))));
    }

    [Fact]
    public void A_library_that_crashed_the_scanner_is_remembered_as_bad_until_it_changes()
    {
        using var folder = WithTwoLibraries();
        var crash = folder.Add(DiscoveryFolder.ScanFixture("libnp_fixture_scan_init_abort.so"));
        Assert.Equal(PluginLoadError.ScanCrashed, Assert.Single(folder.Discover().Errors).Reason);
        var warm = folder.Discover();
        Assert.Equal(PluginLoadError.ScanCrashed, Assert.Single(warm.Errors).Reason);
        Assert.Equal(0, warm.Statistics.ScannerRuns);

        File.Copy(NativeArtifacts.CCounter, crash, overwrite: true); // fixed: now a good library (duplicate ids)
        var fixedUp = folder.Discover();
        Assert.Equal(1, fixedUp.Statistics.Scanned);
        Assert.Equal(PluginLoadError.DuplicateId, Assert.Single(fixedUp.Errors).Reason);
    }

    [Fact]
    public void Touching_a_file_invalidates_its_entry_only()
    {
        using var folder = WithTwoLibraries();
        folder.Discover();
        File.SetLastWriteTimeUtc(folder.File("libnp_c_text.so"), DateTime.UtcNow.AddMinutes(1));
        var after = folder.Discover();
        Assert.Equal(1, after.Statistics.Scanned);
        Assert.Equal(1, after.Statistics.CacheHits);
        Assert.Equal(DiscoverySource.Scan, after.Libraries.Single(l => l.FileName == "libnp_c_text.so").Source);
    }

    [Fact]
    public void Replacing_a_file_by_rename_invalidates_its_entry_even_with_the_same_size_and_time()
    {
        using var folder = WithTwoLibraries();
        folder.Discover();
        var target = folder.File("libnp_c_text.so");
        var stamp = File.GetLastWriteTimeUtc(target);
        var replacement = folder.File("incoming.tmp");
        File.Copy(NativeArtifacts.CText, replacement);
        File.SetLastWriteTimeUtc(replacement, stamp);
        File.Move(replacement, target, overwrite: true); // a new inode under the old name
        var after = folder.Discover();
        Assert.Equal(1, after.Statistics.Scanned);
        Assert.Equal(2, after.Libraries.Count);
    }

    [Fact]
    public void A_deleted_file_is_no_longer_listed_and_its_entry_is_dropped()
    {
        using var folder = WithTwoLibraries();
        folder.Discover();
        File.Delete(folder.File("libnp_c_counter.so"));
        var after = folder.Discover();
        Assert.Equal(["libnp_c_text.so"], after.Libraries.Select(l => l.FileName));
        Assert.DoesNotContain("libnp_c_counter.so", File.ReadAllText(folder.CachePath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"format\":1,\"host_abi\":[1,2],\"entries\":[{\"path\":")]
    [InlineData("{\"format\":99,\"entries\":[]}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"format\":1,\"host_abi\":[1,2],\"entries\":[{\"path\":\"x\",\"size\":\"big\"}]}")]
    public void A_corrupt_or_foreign_cache_file_is_ignored_and_rebuilt(string content)
    {
        using var folder = WithTwoLibraries();
        Directory.CreateDirectory(Path.GetDirectoryName(folder.CachePath)!);
        File.WriteAllText(folder.CachePath, content);
        var catalog = folder.Discover();
        Assert.Equal(2, catalog.Libraries.Count);
        Assert.Equal(2, catalog.Statistics.Scanned);
        Assert.Equal(2, folder.Discover().Statistics.CacheHits); // rewritten, and valid
    }

    [Theory]
    [InlineData(1)]   // truncated by one byte
    [InlineData(40)]  // cut inside the first entry
    [InlineData(-1)]  // one byte appended
    public void A_truncated_or_extended_binary_cache_is_ignored_and_rebuilt(int cut)
    {
        using var folder = WithTwoLibraries();
        folder.Discover();
        var bytes = File.ReadAllBytes(folder.CachePath);
        Assert.Equal("NPLUGREG"u8.ToArray(), bytes[..8]);
        File.WriteAllBytes(folder.CachePath, cut > 0 ? bytes[..^cut] : [.. bytes, 0]);
        var catalog = folder.Discover();
        Assert.Equal(2, catalog.Statistics.Scanned);
        Assert.Equal(2, folder.Discover().Statistics.CacheHits);
    }

    [Fact]
    public void A_json_cache_of_format_1_is_read_once_and_rewritten_in_the_binary_format()
    {
        using var folder = WithTwoLibraries();
        var cold = folder.Discover();
        // The former format, as the earlier host wrote it: rebuilt here from what the binary cache holds.
        var path = folder.File("libnp_c_text.so");
        var stamp = Hosting.Discovery.FileStamp.Of(path)!.Value;
        Directory.CreateDirectory(Path.GetDirectoryName(folder.CachePath)!);
        var record = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(record))
        {
            w.WriteStartObject();
            w.WriteNumber("format", 1);
            w.WriteStartArray("host_abi");
            w.WriteNumberValue(AbiVersion.Current.Major);
            w.WriteNumberValue(AbiVersion.Current.Minor);
            w.WriteEndArray();
            w.WriteStartArray("entries");
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteNumber("size", stamp.Size);
            w.WriteNumber("mtime_ns", stamp.MtimeNs);
            w.WriteNumber("ctime_ns", stamp.CtimeNs);
            w.WriteString("inode", stamp.Inode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("device", stamp.Device.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNull("sha256");
            w.WriteString("policy", "not-this-policy");
            w.WritePropertyName("record");
            Hosting.Discovery.ScanRecord.Bad(PluginLoadError.InitFailed, "recorded by format 1").Write(w);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        File.WriteAllBytes(folder.CachePath, record.ToArray());

        var migrated = folder.Discover();
        Assert.Equal(1, migrated.Statistics.CacheHits); // the JSON entry was used, not scanned again
        Assert.Equal(1, migrated.Statistics.Scanned);
        var error = Assert.Single(migrated.Errors);
        Assert.Equal((PluginLoadError.InitFailed, path), (error.Reason, error.FilePath));
        Assert.Equal("NPLUGREG"u8.ToArray(), File.ReadAllBytes(folder.CachePath)[..8]);
        Assert.Equal(2, folder.Discover().Statistics.CacheHits);
    }

    [Fact]
    public void The_content_hash_on_demand_catches_a_change_the_stamp_cannot_see()
    {
        using var folder = WithTwoLibraries();
        var options = folder.Options() with { VerifyContentHash = true };
        folder.Discover(options);
        Assert.Equal(2, folder.Discover(options).Statistics.CacheHits);
        // Same stamp, other bytes: a cache entry forged to match the new file's stamp but not its hash.
        var cache = File.ReadAllBytes(folder.CachePath);
        var sha = System.Text.Encoding.ASCII.GetBytes(Hosting.Discovery.SidecarManifest.Sha256(folder.File("libnp_c_text.so"))!);
        int at = cache.AsSpan().IndexOf(sha);
        Assert.True(at > 0);
        "0000000000000000000000000000000000000000000000000000000000000000"u8.CopyTo(cache.AsSpan(at));
        File.WriteAllBytes(folder.CachePath, cache);
        var after = folder.Discover(options);
        Assert.Equal(1, after.Statistics.Scanned);
        Assert.Equal(1, after.Statistics.CacheHits);
    }

    [Fact]
    public void Two_hosts_discovering_at_once_share_the_cache_file_safely()
    {
        using var folder = WithTwoLibraries();
        var catalogs = new PluginCatalog[4];
        Parallel.For(0, catalogs.Length, i => catalogs[i] = folder.Discover());
        Assert.All(catalogs, c => Assert.Equal(2, c.Libraries.Count));
        Assert.All(catalogs, c => Assert.Empty(c.Errors));
        Assert.Equal(2, folder.Discover().Statistics.CacheHits);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(folder.CachePath)!, "*.tmp"));
    }

    [Fact]
    public void Without_the_cache_every_discovery_scans()
    {
        using var folder = WithTwoLibraries();
        var options = folder.Options() with { UseCache = false };
        folder.Discover(options);
        Assert.Equal(2, folder.Discover(options).Statistics.Scanned);
        Assert.False(File.Exists(folder.CachePath));
    }

    [Fact]
    public void A_cached_library_is_still_refused_by_a_trust_file_that_does_not_list_it()
    {
        using var folder = WithTwoLibraries();
        Assert.Equal(2, folder.Discover().Libraries.Count);
        var trust = Path.Combine(Path.GetDirectoryName(folder.CachePath)!, "trusted.sha256");
        File.WriteAllText(trust, $"{Hosting.Discovery.SidecarManifest.Sha256(folder.File("libnp_c_counter.so"))}  libnp_c_counter.so\n");
        using var host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Discovery = folder.Options(),
            LoadPolicy = LoadPolicy.Default with { TrustFile = trust },
        });
        var catalog = host.Discover([folder.Libraries]);
        Assert.Equal(["libnp_c_counter.so"], catalog.Libraries.Select(l => l.FileName));
        Assert.Equal(PluginLoadError.NotTrusted, Assert.Single(catalog.Errors).Reason);
        Assert.Equal(1, catalog.Statistics.CacheHits);
    }
}
