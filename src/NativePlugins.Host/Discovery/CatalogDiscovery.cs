using System.Collections.Immutable;
using NativePlugins.Hosting.Loading;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// One <see cref="PluginHost.Discover()"/>: finds the candidate files (<see cref="PluginDiscovery"/>), answers each from
/// the registry cache when its <see cref="FileStamp"/> is unchanged (checked before dlopen in-process again, the
/// load policy and the ELF probe, when the entry was made under another policy or a trust file is set), else checks
/// it before dlopen (no plugin code runs), then uses its sidecar manifest when the hash matches, and
/// scans the rest out of process (<see cref="OutOfProcessScanner"/>), all in one scanner run. Results that depend only
/// on the file go into the cache, which is written once at the end.
/// </summary>
internal static class CatalogDiscovery
{
    public static PluginCatalog Run(IReadOnlyList<(string Directory, bool Explicit)> dirs, PluginHostOptions options,
        AbiVersion hostAbi, LoadGate gate)
    {
        var discovery = options.Discovery;
        var scan = PluginDiscovery.Find(dirs, options.Recursive, options.FollowSymlinks, withStamps: true);
        var cache = !discovery.UseCache ? null
            : discovery.CachePath is { } cachePath ? RegistryCache.Open(cachePath, hostAbi)
            : RegistryCache.Open(DiscoveryOptions.DefaultCachePath, hostAbi, DiscoveryOptions.LegacyDefaultCachePath);

        var records = new (ScanRecord? Record, DiscoverySource Source)[scan.Files.Count];
        var stamps = new FileStamp?[scan.Files.Count];
        var hashes = new string?[scan.Files.Count];
        var toScan = new List<int>();
        var policy = PolicyIdentity(options.LoadPolicy);
        int hits = 0, manifests = 0, stale = 0;
        using var batch = LoadGate.BeginBatch(); // each directory's mode is stat'ed once for the whole discovery
        for (int i = 0; i < scan.Files.Count; i++)
        {
            var file = scan.Files[i];
            var stamp = stamps[i] = scan.Stamps[i]; // taken while listing: relative to the open directory
            if (stamp is null)
            {
                records[i] = (ScanRecord.Bad(PluginLoadError.FileNotFound, "the file disappeared during discovery"), DiscoverySource.Scan);
                continue;
            }
            var hit = cache?.Find(file, stamp.Value);
            if (hit is not null && discovery.VerifyContentHash &&
                (hit.Sha256 is null || hit.Sha256 != (hashes[i] = SidecarManifest.Sha256(file))))
                hit = null;
            // The checks before dlopen (policy, ELF probe) are skipped for an entry that passed them under this same
            // policy: the stamp's ctime changes with the file's mode and owner. A trust file is always consulted.
            if (hit is null || hit.Policy != policy || options.LoadPolicy.TrustFile is not null)
            {
                try
                {
                    gate.Check(file, scan.FoundIn[file]); // a refusal is never cached: it depends on the host's policy
                }
                catch (PluginLoadException refused)
                {
                    scan.Errors.Add(refused);
                    continue;
                }
            }
            if (hit is not null)
            {
                records[i] = (hit.Record, DiscoverySource.Cache);
                hashes[i] = hit.Sha256 ?? hashes[i];
                if (hit.Policy != policy) cache!.Put(file, hit with { Policy = policy });
                hits++;
                continue;
            }
            if (discovery.UseManifests)
            {
                int index = i;
                var promised = SidecarManifest.TryRead(file, hostAbi, () => hashes[index] ??= SidecarManifest.Sha256(file), out bool isStale);
                if (isStale) stale++;
                if (promised is not null)
                {
                    records[i] = (promised, DiscoverySource.Manifest);
                    manifests++;
                    continue;
                }
            }
            toScan.Add(i);
        }

        int runs = 0;
        if (toScan.Count > 0)
        {
            var scanner = ScannerLocator.Find(discovery, out var searched);
            ScanRecord[] scanned;
            if (scanner is null)
                scanned = toScan.Select(_ => ScanRecord.Bad(PluginLoadError.ScanFailed,
                    $"the scanner {ScannerLocator.FileName} was not found (looked at {searched}); set DiscoveryOptions.ScannerPath or {DiscoveryOptions.ScannerEnvironmentVariable}")).ToArray();
            else
            {
                var runner = new OutOfProcessScanner(scanner, hostAbi.Minor, discovery.ScanTimeout);
                scanned = runner.Scan(toScan.Select(i => scan.Files[i]).ToList());
                runs = runner.Runs;
            }
            for (int k = 0; k < toScan.Count; k++) records[toScan[k]] = (scanned[k], DiscoverySource.Scan);
        }

        var libraries = new List<DiscoveredLibrary>();
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < scan.Files.Count; i++)
        {
            var (record, source) = records[i];
            if (record is null) continue; // refused before scanning (already in Errors)
            var file = scan.Files[i];
            if (cache is not null && source != DiscoverySource.Cache && stamps[i] is { } stamp && record.IsCacheable)
            {
                // With VerifyContentHash every entry carries the hash that later hits are checked against.
                if (discovery.VerifyContentHash) hashes[i] ??= SidecarManifest.Sha256(file);
                cache.Put(file, new RegistryCache.Entry(stamp, hashes[i], policy, record));
            }
            if (record.Reason is { } reason)
            {
                scan.Errors.Add(new PluginLoadException(reason, file, null, record.Detail));
                continue;
            }
            // Ids are unique across what one host holds: the first library found keeps an id (what loading does).
            ScannedPlugin? clash = null;
            foreach (var p in record.Plugins)
                if (byId.ContainsKey(p.Id)) { clash = p; break; }
            if (clash is not null)
            {
                scan.Errors.Add(new PluginLoadException(PluginLoadError.DuplicateId, file, clash.Id,
                    $"a plugin with this id is already provided by {byId[clash.Id]}"));
                continue;
            }
            foreach (var p in record.Plugins) byId.TryAdd(p.Id, file);
            libraries.Add(ToLibrary(file, scan.FoundIn[file], source, record));
        }

        string? warning = null;
        if (cache is not null)
        {
            cache.Prune(dirs.Select(d => d.Directory).ToList(), scan.Files.ToHashSet(StringComparer.Ordinal));
            warning = cache.Save();
        }
        return new PluginCatalog(dirs.Select(d => d.Directory).ToArray(), libraries, scan.Errors, scan.Skipped,
            new DiscoveryStatistics(hits, manifests, stale, toScan.Count, runs), warning);
    }

    /// <summary>A short identity of a load policy (its text, hashed): stored with every cache entry, so it is kept small.</summary>
    private static string PolicyIdentity(LoadPolicy policy) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(policy.ToString())).AsSpan(0, 8));

    /// <summary>The scanner's record of a file as the public type, with this host's <see cref="PluginInfo"/>s.</summary>
    public static DiscoveredLibrary ToLibrary(string file, string foundIn, DiscoverySource source, ScanRecord record)
    {
        // Loops, not LINQ: this runs for every library of a warm discovery (1,000 of them in the discovery benchmark).
        var plugins = ImmutableArray.CreateBuilder<PluginInfo>(record.Plugins.Length);
        foreach (var p in record.Plugins)
        {
            var ids = ImmutableArray.CreateBuilder<string>(p.Interfaces.Length);
            var details = ImmutableArray.CreateBuilder<InterfaceDetail>(p.Interfaces.Length);
            foreach (var i in p.Interfaces)
            {
                ids.Add(i.Id);
                details.Add(new InterfaceDetail(i.Id, i.StructSize, i.Fingerprint == 0 ? null : i.Fingerprint, null));
            }
            plugins.Add(new PluginInfo(p.Id, p.Name, p.Version, p.Description, p.Vendor, ids.MoveToImmutable(),
                (PluginThreading)p.Threading, file, record.Agreed)
            {
                InterfaceDetails = details.MoveToImmutable(),
            });
        }
        return new DiscoveredLibrary(file, foundIn, source, record.Sdk, (LibraryFlags)record.Flags, record.Agreed,
            record.LibraryAbi, record.Fingerprint, plugins.MoveToImmutable());
    }
}
