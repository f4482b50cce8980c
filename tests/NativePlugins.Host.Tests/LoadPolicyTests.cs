using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.TestSupport;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;

namespace NativePlugins.Host.Tests;

/// <summary><see cref="LoadPolicy"/>: which files the host refuses before dlopen, by permissions, ownership,
/// symlinks and the SHA-256 trust file; every refusal typed, naming the file, and the host keeps working.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // permissions, chown, symlinks of Unix
public class LoadPolicyTests
{
    private static PluginHost Host(LoadPolicy policy) =>
        new(new PluginHostOptions { UseEnvironmentSearchPath = false, LoadPolicy = policy });

    private static PluginLoadException Refused(PluginHost host, string path, PluginLoadError reason)
    {
        var e = Assert.Throws<PluginLoadException>(() => host.Load(path));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(path, e.FilePath);
        AssertStillWorks(host);
        return e;
    }

    [Fact]
    public void A_world_writable_library_is_refused_by_default()
    {
        using var dir = new TempDirectory();
        var path = dir.Copy(NativeArtifacts.CCounter);
        File.SetUnixFileMode(path, (UnixFileMode)0x1b6); // 0666
        using (var host = Host(LoadPolicy.Default))
            Assert.Contains("writable by every user", Refused(host, path, PluginLoadError.InsecurePermissions).Detail);
        using (var host = Host(LoadPolicy.Default with { RefuseWritableByOthers = false }))
            host.Load(path);
    }

    [Fact]
    public void A_library_in_a_world_writable_directory_is_refused_by_default()
    {
        using var dir = new TempDirectory();
        var path = dir.Copy(NativeArtifacts.CCounter);
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x3ff); // 1777, sticky like /tmp: still refused
        using (var host = Host(LoadPolicy.Default))
            Assert.Contains($"its directory {dir.Path}", Refused(host, path, PluginLoadError.InsecurePermissions).Detail);
        using (var host = Host(LoadPolicy.Permissive))
            host.Load(path);
    }

    [Fact]
    public void A_directory_check_made_once_per_scan_refuses_every_file_and_sees_a_chmod_at_the_next_scan()
    {
        using var dir = new TempDirectory();
        var counter = dir.Copy(NativeArtifacts.CCounter);
        var text = dir.Copy(NativeArtifacts.CText);
        using (var host = Host(LoadPolicy.Default))
            Assert.Equal(2, host.LoadDirectories([dir.Path]).Libraries.Count);

        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1ff); // 0777: the directory's mode, looked up once for the scan
        using (var host = Host(LoadPolicy.Default))
        {
            var scan = host.LoadDirectories([dir.Path]);
            Assert.Empty(scan.Libraries);
            Assert.Equal([counter, text], scan.Errors.Select(e => e.FilePath).Order(StringComparer.Ordinal));
            Assert.All(scan.Errors, e => Assert.Equal(PluginLoadError.InsecurePermissions, e.Reason));
            Assert.All(scan.Errors, e => Assert.Contains($"its directory {dir.Path}", e.Message));

            File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1ed); // 0755 again: the next scan looks again
            Assert.Equal(2, host.LoadDirectories([dir.Path]).Libraries.Count);
        }
    }

    [Fact]
    public void Group_writable_is_allowed_by_default_and_refused_when_asked()
    {
        using var dir = new TempDirectory();
        var path = dir.Copy(NativeArtifacts.CCounter);
        File.SetUnixFileMode(path, (UnixFileMode)0x1b4); // 0664
        using (var host = Host(LoadPolicy.Default))
            host.Load(path);
        using (var host = Host(LoadPolicy.Default with { RefuseGroupWritable = true }))
            Assert.Contains("writable by its group", Refused(host, path, PluginLoadError.InsecurePermissions).Detail);
    }

    [Fact]
    public void A_symlink_out_of_its_directory_is_refused_unless_allowed()
    {
        using var outside = new TempDirectory();
        using var dir = new TempDirectory();
        var real = outside.Copy(NativeArtifacts.CCounter);
        var link = dir.File("libnp_c_counter.so");
        File.CreateSymbolicLink(link, real);
        using (var host = Host(LoadPolicy.Default))
            Assert.Contains(real, Refused(host, link, PluginLoadError.SymlinkOutsideDirectory).Detail);
        using (var host = Host(LoadPolicy.Default with { AllowSymlinksOutsideDirectory = true }))
            host.Load(link);
    }

    [Fact]
    public void A_symlink_within_its_directory_is_loaded()
    {
        using var dir = new TempDirectory();
        var real = dir.Copy(NativeArtifacts.CCounter, "sub/libreal.so");
        var link = dir.File("libnp_c_counter.so");
        File.CreateSymbolicLink(link, real);
        using var host = Host(LoadPolicy.Default);
        Assert.Equal(link, host.Load(link).FilePath);
    }

    [Fact]
    public void When_running_as_root_a_file_of_another_user_is_refused()
    {
        if (Environment.UserName != "root") return; // chown needs root; the rule applies only to root by default
        using var dir = new TempDirectory();
        var path = dir.Copy(NativeArtifacts.CCounter);
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", path])!)
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }
        using (var host = Host(LoadPolicy.Default))
            Assert.Contains("uid 65534", Refused(host, path, PluginLoadError.UntrustedOwner).Detail);
        using (var host = Host(LoadPolicy.Default with { Owner = OwnerRule.Never }))
            host.Load(path);
    }

    private static string Sha256(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_trust_file_accepts_listed_libraries_and_refuses_unknown_and_changed_ones()
    {
        using var dir = new TempDirectory();
        var counter = dir.Copy(NativeArtifacts.CCounter);
        var text = dir.Copy(NativeArtifacts.CText);
        var changed = dir.Copy(NativeArtifacts.CCounter, "libchanged.so");
        var trust = dir.File("trusted.sha256");
        // sha256sum's own formats: a bare name, a "*" binary marker, and a path relative to the trust file.
        File.WriteAllLines(trust,
        [
            "# plugins this application may load",
            $"{Sha256(counter)}  libnp_c_counter.so",
            $"{Sha256(text).ToUpperInvariant()} *./libnp_c_text.so",
            $"{Sha256(text)}  libchanged.so",
        ]);
        using var host = Host(LoadPolicy.Default with { TrustFile = trust });
        host.Load(counter);
        host.Load(text);

        var unknown = dir.Copy(NativeArtifacts.CCounter, "libunknown.so");
        var e = Refused(host, unknown, PluginLoadError.NotTrusted);
        Assert.Contains($"not listed in the trust file {trust}", e.Detail);
        Assert.Contains(Sha256(unknown), e.Detail);

        e = Refused(host, changed, PluginLoadError.NotTrusted);
        Assert.Contains($"changed: its SHA-256 is {Sha256(changed)}", e.Detail);
    }

    [Fact]
    public void A_bad_trust_file_fails_at_host_creation()
    {
        using var dir = new TempDirectory();
        var trust = dir.File("trusted.sha256");
        File.WriteAllText(trust, "not-a-hash  libx.so\n");
        var e = Assert.Throws<ArgumentException>(() => Host(LoadPolicy.Default with { TrustFile = trust }));
        Assert.Contains($"{trust}:1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Host(LoadPolicy.Default with { TrustFile = dir.File("missing") }));
        Assert.Contains("cannot be read", e.Message);
    }

    [Fact]
    public void Nplug_list_takes_a_trust_file()
    {
        using var dir = new TempDirectory();
        var counter = dir.Copy(NativeArtifacts.CCounter);
        dir.Copy(NativeArtifacts.CText);
        var trust = dir.File("trusted.sha256");
        File.WriteAllText(trust, $"{Sha256(counter)}  libnp_c_counter.so\n");
        var error = new StringWriter();
        int exit;
        using (var output = new MemoryStream())
        using (var console = new NativePlugins.Cli.Infrastructure.CliConsole(new MemoryStream(), output, error))
            exit = NativePlugins.Cli.NplugCli.Run(["list", "--no-default-path", "--trust-file", trust, dir.Path], console);
        Assert.Equal(NativePlugins.Cli.ExitCodes.PluginError, exit);
        var line = Assert.Single(error.ToString().Split('\n'), l => l.Contains("libnp_c_text.so"));
        Assert.Contains("NotTrusted", line);
        Assert.DoesNotContain("libnp_c_counter.so", error.ToString());
    }
}
