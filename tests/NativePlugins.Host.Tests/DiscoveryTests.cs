using Microsoft.Extensions.Logging;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Discovery;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests;

public class DiscoveryTests
{
    [Fact]
    public void A_bad_file_is_reported_and_skipped_and_the_good_ones_load()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CText);
        dir.Copy(NativeArtifacts.CCounter);
        File.WriteAllBytes(dir.File("libempty.so"), []);
        File.WriteAllText(dir.File("libnotes.so"), "just text\n");
        File.WriteAllText(dir.File("readme.txt"), "not a library name: never looked at");
        using var host = TestHosts.Create();
        var result = host.LoadDirectories([dir.Path]);

        Assert.Equal(["libnp_c_counter.so", "libnp_c_text.so"], result.Libraries.Select(l => l.FileName));
        Assert.Equal(3, host.Plugins.Count);
        Assert.Equal(2, result.Errors.Count);
        var empty = Assert.Single(result.Errors, e => e.FilePath == dir.File("libempty.so"));
        Assert.Equal(PluginLoadError.EmptyFile, empty.Reason);
        var text = Assert.Single(result.Errors, e => e.FilePath == dir.File("libnotes.so"));
        Assert.Equal(PluginLoadError.NotALibrary, text.Reason);
        Assert.Equal([dir.Path], result.Directories);
        Hosts.AssertStillWorks(host);
    }

    [Fact]
    public void Subdirectories_are_not_searched_by_default_but_are_when_recursive()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CText, "nested/libnp_c_text.so");
        using (var host = TestHosts.Create())
        {
            var result = host.LoadDirectories([dir.Path]);
            Assert.Empty(result.Libraries);
            Assert.Empty(result.Errors);
        }
        using (var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, Recursive = true }))
        {
            var result = host.LoadDirectories([dir.Path]);
            Assert.Equal(dir.File("nested/libnp_c_text.so"), Assert.Single(result.Libraries).FilePath);
        }
    }

    [Fact]
    public void Symlinks_are_skipped_by_default_and_followed_when_asked()
    {
        using var outside = new TempDirectory();
        using var dir = new TempDirectory();
        var real = outside.Copy(NativeArtifacts.CCounter);
        File.CreateSymbolicLink(dir.File("libnp_c_counter.so"), real);
        using (var host = TestHosts.Create())
        {
            var result = host.LoadDirectories([dir.Path]);
            Assert.Empty(result.Libraries);
            var skipped = Assert.Single(result.Skipped);
            Assert.Equal(dir.File("libnp_c_counter.so"), skipped.Path);
            Assert.Contains("symbolic link", skipped.Reason);
        }
        // Followed, a link out of the scanned directory is still refused by the default load policy ...
        using (var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, FollowSymlinks = true }))
        {
            var result = host.LoadDirectories([dir.Path]);
            Assert.Empty(result.Libraries);
            Assert.Equal(PluginLoadError.SymlinkOutsideDirectory, Assert.Single(result.Errors).Reason);
        }
        // ... unless the policy allows it.
        using (var host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            FollowSymlinks = true,
            LoadPolicy = LoadPolicy.Default with { AllowSymlinksOutsideDirectory = true },
        }))
        {
            var result = host.LoadDirectories([dir.Path]);
            Assert.Single(result.Libraries);
            Assert.True(host.TryGetPlugin(Hosts.Counter, out _));
        }
    }

    [Fact]
    public void A_missing_directory_is_a_typed_error_not_an_exception()
    {
        using var host = TestHosts.Create();
        var missing = Path.Combine(Path.GetTempPath(), "nplug-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var result = host.LoadDirectories([missing]);
        var e = Assert.Single(result.Errors);
        Assert.Equal(PluginLoadError.DirectoryNotFound, e.Reason);
        Assert.Equal(missing, e.FilePath);
    }

    [Fact]
    public void Duplicate_ids_across_directories_keep_the_first_library()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var first = a.Copy(RepoLayout.Fixture("libnp_fixture_duplicate_a.so"));
        var second = b.Copy(RepoLayout.Fixture("libnp_fixture_duplicate_b.so"));
        using var host = TestHosts.Create();
        var result = host.LoadDirectories([a.Path, b.Path]);
        Assert.Equal(first, Assert.Single(result.Libraries).FilePath);
        var e = Assert.Single(result.Errors);
        Assert.Equal(PluginLoadError.DuplicateId, e.Reason);
        Assert.Equal(second, e.FilePath);
        Assert.Equal("org.nativeplugins.fixture.dup", e.PluginId);
        Assert.Contains(first, e.Message);
        Hosts.AssertStillWorks(host);
    }

    [Fact]
    public void A_byte_identical_copy_of_a_loaded_library_is_skipped_not_refused()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var original = a.Copy(NativeArtifacts.CText);
        var copy = b.Copy(NativeArtifacts.CText, "libnp_c_text_copy.so");
        using var host = TestHosts.Create();
        var result = host.LoadDirectories([a.Path, b.Path]);
        Assert.Equal(original, Assert.Single(result.Libraries).FilePath);
        Assert.Empty(result.Errors);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal(copy, skipped.Path);
        Assert.Contains(original, skipped.Reason);
        // Loading the copy explicitly is still refused for its duplicate ids.
        Assert.Equal(PluginLoadError.DuplicateId, Assert.Throws<PluginLoadException>(() => host.Load(copy)).Reason);
    }

    [Fact]
    public void Copies_of_a_library_loaded_before_the_scan_are_skipped_naming_it()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var original = a.Copy(NativeArtifacts.CText);
        var copy1 = b.Copy(NativeArtifacts.CText, "libnp_c_text_1.so");
        var copy2 = b.Copy(NativeArtifacts.CText, "libnp_c_text_2.so");
        b.Copy(NativeArtifacts.CCounter); // another library, loaded normally
        using var host = TestHosts.Create();
        host.Load(original);
        var result = host.LoadDirectories([b.Path]);
        Assert.Empty(result.Errors);
        Assert.Equal(["libnp_c_counter.so"], result.Libraries.Select(l => l.FileName));
        Assert.Equal([copy1, copy2], result.Skipped.Select(s => s.Path));
        Assert.All(result.Skipped, s => Assert.Equal($"identical to {original}, already loaded", s.Reason));
    }

    [Fact]
    public void A_file_of_the_same_length_but_other_bytes_is_not_taken_for_a_copy()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var original = a.Copy(NativeArtifacts.CText);
        // Same length, one byte different in the .comment section (compiler version text, never mapped): still
        // the same plugin ids, so the host must try it and refuse it for its duplicate ids, not skip it.
        var bytes = File.ReadAllBytes(NativeArtifacts.CText);
        int at = bytes.AsSpan().IndexOf("GCC: ("u8);
        // Beyond the first 4 KiB, which the host compares cheaply first: only the full hash tells these apart.
        Assert.True(at >= 4096, $"the .comment text is at {at}, expected beyond the first 4 KiB");
        bytes[at] = (byte)'g';
        var changed = b.File("libnp_c_text_changed.so");
        File.WriteAllBytes(changed, bytes);
        Assert.Equal(new FileInfo(original).Length, new FileInfo(changed).Length);

        using var host = TestHosts.Create();
        var result = host.LoadDirectories([a.Path, b.Path]);
        Assert.Equal(original, Assert.Single(result.Libraries).FilePath);
        Assert.Empty(result.Skipped);
        var e = Assert.Single(result.Errors);
        Assert.Equal(changed, e.FilePath);
        Assert.Equal(PluginLoadError.DuplicateId, e.Reason);
    }

    [Fact]
    public void A_file_already_loaded_is_skipped_not_refused()
    {
        using var dir = new TempDirectory();
        var file = dir.Copy(NativeArtifacts.CText);
        using var host = TestHosts.Create();
        host.Load(file);
        var result = host.LoadDirectories([dir.Path]);
        Assert.Empty(result.Errors);
        Assert.Equal("already loaded", Assert.Single(result.Skipped).Reason);
    }
}

/// <summary>Tests that change process-wide environment variables run alone.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentCollection))]
public class SearchPathTests
{
    [Fact]
    public void NPLUG_PLUGIN_PATH_directories_follow_the_configured_ones()
    {
        using var configured = new TempDirectory();
        using var fromEnv = new TempDirectory();
        configured.Copy(NativeArtifacts.CText);
        fromEnv.Copy(NativeArtifacts.CCounter);
        var missing = Path.Combine(fromEnv.Path, "does-not-exist");
        var old = Environment.GetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable,
                string.Join(Path.PathSeparator, fromEnv.Path, missing));
            using var host = new PluginHost(new PluginHostOptions { SearchPaths = [configured.Path] });
            Assert.Equal([configured.Path, fromEnv.Path, missing], host.SearchPath);
            var result = host.LoadFromSearchPath();
            Assert.Equal(["libnp_c_text.so", "libnp_c_counter.so"], result.Libraries.Select(l => l.FileName));
            Assert.Empty(result.Errors); // a missing directory from the environment is ignored, like PATH
        }
        finally
        {
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable, old);
        }
    }

    [Fact]
    public void An_elevated_process_ignores_NPLUG_PLUGIN_PATH_and_says_so()
    {
        using var configured = new TempDirectory();
        using var fromEnv = new TempDirectory();
        configured.Copy(NativeArtifacts.CText);
        fromEnv.Copy(NativeArtifacts.CCounter);
        var old = Environment.GetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable);
        Assert.False(PluginSearchPath.IgnoresEnvironment); // the test process itself is not set-uid
        try
        {
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable, fromEnv.Path);
            Assert.Equal([fromEnv.Path], PluginSearchPath.FromEnvironment());
            ProcessElevation.TestOverride = true; // as in a set-uid, set-gid or file-capability process
            Assert.True(PluginSearchPath.IgnoresEnvironment);
            Assert.Empty(PluginSearchPath.FromEnvironment());
            var logs = new ListLoggerFactory();
            using var host = new PluginHost(new PluginHostOptions { SearchPaths = [configured.Path], LoggerFactory = logs });
            Assert.Equal([configured.Path], host.SearchPath); // explicit directories still apply
            Assert.Equal(["libnp_c_text.so"], host.LoadFromSearchPath().Libraries.Select(l => l.FileName));
            var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
            Assert.Contains("NPLUG_PLUGIN_PATH is ignored", warning.Message);
        }
        finally
        {
            ProcessElevation.TestOverride = null;
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable, old);
        }
    }

    [Fact]
    public void The_environment_is_ignored_when_disabled()
    {
        using var fromEnv = new TempDirectory();
        fromEnv.Copy(NativeArtifacts.CCounter);
        var old = Environment.GetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable, fromEnv.Path);
            using var host = TestHosts.Create();
            Assert.Empty(host.SearchPath);
            Assert.Empty(host.LoadFromSearchPath().Libraries);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable, old);
        }
    }
}
