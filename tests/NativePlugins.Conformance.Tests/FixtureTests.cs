namespace NativePlugins.Conformance.Tests;

/// <summary>
/// The suite against the corpus of native/fixtures/conformance, out of process as nplug runs it: every fixture fails
/// exactly the checks expected.txt names (the correct builds none), so each check is shown to fail on the mistake it
/// is about and to pass on everything else.
/// </summary>
public class FixtureTests
{
    public static TheoryData<string, string> Fixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var (library, failing, _) in Native.Expected) data.Add(library, failing.Count == 0 ? "-" : string.Join(",", failing));
        return data;
    }

    private static ConformanceReport Check(string path, params string[] patterns) => Check(path, [], patterns);

    private static ConformanceReport Check(string path, IReadOnlyList<Interop.NativeInterfaceContract> interfaces, params string[] patterns) =>
        ConformanceRunner.Run(new ConformanceOptions
        {
            Libraries = [path],
            CheckPatterns = patterns,
            Interfaces = interfaces,
            Worker = Native.Worker,
            Jobs = 2,
        });

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_fails_exactly_its_expected_checks(string library, string expected)
    {
        var options = Native.Expected.Single(e => e.Library == library).Options;
        var report = Check(Native.Fixture(library), Native.Interfaces(options));
        var lib = Assert.Single(report.Libraries);
        Assert.Null(lib.DescribeError);
        var failing = lib.Results.Where(r => r.Verdict == CheckVerdict.Fail).Select(r => r.Check).Distinct().Order().ToList();
        var want = expected == "-" ? [] : expected.Split(',').Order().ToList();
        Assert.True(want.SequenceEqual(failing),
            $"{library}: expected failing [{string.Join(", ", want)}], got [{string.Join(", ", failing)}]\n" +
            string.Join("\n", lib.Results.Where(r => r.Verdict == CheckVerdict.Fail).Select(r => $"  {r.Check}: {r.Summary}")));
        Assert.Equal(want.Count == 0 ? 0 : 1, report.ExitCode);
        // Every check ran (or was skipped with a reason) on the fixture's one plugin and its one interface.
        Assert.Equal(ConformanceSuite.Checks.Count, lib.Results.Count);
        Assert.All(lib.Results.Where(r => r.Verdict == CheckVerdict.Skip), r => Assert.False(string.IsNullOrWhiteSpace(r.Summary)));
    }

    /// <summary>Rule H3 in the runner: the host's bad-pointer fixtures (native/fixtures) fail the descriptor check that
    /// names the field, with the host's own memory check (LoadedMemory), instead of killing the worker that reads
    /// them.</summary>
    [Theory]
    [InlineData("libnp_fixture_bad_library_pointer.so", "descriptor.library", "*out_library (the np_library_t pointer) is 0x")]
    [InlineData("libnp_fixture_bad_id_pointer.so", "descriptor.plugins", "plugins[0].id is at 0x")]
    [InlineData("libnp_fixture_bad_init_pointer.so", "descriptor.library", "init is 0x1000, not in executable memory")]
    [InlineData("libnp_fixture_bad_vtable_pointer.so", "descriptor.interfaces", "plugins[0].interfaces[0].vtable (np.transform/1) is 0x")]
    public void A_garbage_pointer_fails_the_descriptor_check_naming_the_field(string library, string check, string says)
    {
        var report = Check(RepoLayout.Existing(Path.Combine(RepoLayout.FixtureDir, library)), check);
        var result = Assert.Single(report.Libraries[0].Results, r => r.Check == check);
        Assert.Equal(CheckVerdict.Fail, result.Verdict);
        Assert.Contains(says, result.Summary);
        Assert.Contains("(rule H3)", result.Summary);
        Assert.DoesNotContain("crashed", result.Summary);
    }

    [Fact]
    public void Every_built_fixture_is_in_the_manifest_and_every_manifest_line_is_built()
    {
        var built = Directory.GetFiles(Native.ConformanceFixtures, "*.so").Select(f => Path.GetFileName(f)).Order().ToList();
        var listed = Native.Expected.Select(e => e.Library).Order().ToList();
        Assert.Equal(listed, built);
    }

    [Fact]
    public void A_library_without_a_transform_gets_the_library_checks_and_reasoned_skips()
    {
        var report = Check(Native.Fixture("libnpfx_ok_no_transform.so"));
        var results = report.Libraries[0].Results;
        Assert.Equal(0, report.ExitCode);
        foreach (var info in ConformanceSuite.Checks)
        {
            var r = results.Single(x => x.Check == info.Name);
            var expected = info.Scope switch
            {
                CheckScope.Library => (CheckVerdict.Pass, r.Summary),
                CheckScope.Transform => (CheckVerdict.Skip, "no plugin of the library implements np.transform/1"),
                // Its one interface is not np.transform/1, and no contract describes it.
                _ => (CheckVerdict.Skip, "org.nativeplugins.fixture.other/1 is not checked: pass --interface <manifest>"),
            };
            Assert.Equal(expected, (r.Verdict, r.Summary));
        }
    }

    [Fact]
    public void A_segfault_is_a_failed_check_naming_the_signal_and_the_step_not_a_crashed_runner()
    {
        var report = Check(Native.Fixture("libnpfx_p6_crash_empty_batch.so"), "input.empty-batch", "input.empty-records");
        var results = report.Libraries[0].Results;
        var crashed = results.Single(r => r.Check == "input.empty-batch");
        Assert.Equal(CheckVerdict.Fail, crashed.Verdict);
        Assert.Contains("SIGSEGV", crashed.Summary);
        Assert.Contains("0 records", crashed.Summary); // the phase: which call crashed
        // The next check ran in a fresh worker.
        Assert.Equal(CheckVerdict.Pass, results.Single(r => r.Check == "input.empty-records").Verdict);
    }

    [Fact]
    public void A_hang_is_a_failed_check_after_the_timeout()
    {
        var report = ConformanceRunner.Run(new ConformanceOptions
        {
            Libraries = [Native.Fixture("libnpfx_p6_hang_huge_record.so")],
            CheckPatterns = ["input.huge-record"],
            CheckTimeout = TimeSpan.FromSeconds(3),
            Worker = Native.Worker,
        });
        var r = Assert.Single(report.Libraries[0].Results);
        Assert.Equal(CheckVerdict.Fail, r.Verdict);
        Assert.Contains("did not finish within 3 s", r.Summary);
    }

    [Fact]
    public void A_data_symbol_entry_is_reported_and_never_called()
    {
        var path = RepoLayout.Fixture("libnp_fixture_data_entry.so");
        var report = Check(path);
        var results = report.Libraries[0].Results;
        var exported = results.Single(r => r.Check == "entry.exported");
        Assert.Equal(CheckVerdict.Fail, exported.Verdict);
        Assert.Contains("OBJECT", exported.Summary);
        // Nothing else crashed: every other check was skipped because the entry cannot be called.
        Assert.All(results.Where(r => r.Check != "entry.exported"), r => Assert.Equal(CheckVerdict.Skip, r.Verdict));
    }

    [Fact]
    public void A_file_that_is_not_a_library_fails_entry_exported_with_the_loader_message()
    {
        var path = RepoLayout.Fixture("libnp_fixture_not_elf.so");
        var report = Check(path, "P1");
        var exported = report.Libraries[0].Results.Single(r => r.Check == "entry.exported");
        Assert.Equal(CheckVerdict.Fail, exported.Verdict);
        Assert.Contains("dynamic loader refused", exported.Summary);
        Assert.Equal(1, report.ExitCode);
    }
}
