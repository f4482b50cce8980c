using NativePlugins.Conformance.Runner;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Tests;

/// <summary>
/// The interface checks (<c>interface.*</c>) on the greeter fixtures of native/fixtures/conformance (greeter_fixture.c):
/// the correct build passes them, each broken build fails the check about its mistake with a reason that names the
/// struct, field or function, and an interface no contract describes is reported as not checked rather than passed.
/// </summary>
public class InterfaceCheckTests
{
    private static LibraryReport Check(string library, IReadOnlyList<NativeInterfaceContract> interfaces, bool inProcess = false)
    {
        var report = ConformanceRunner.Run(new ConformanceOptions
        {
            Libraries = [Native.Fixture(library)],
            CheckPatterns = ["interface.*"],
            Interfaces = interfaces,
            Worker = Native.Worker,
            InProcess = inProcess,
            Jobs = 1,
        });
        var lib = Assert.Single(report.Libraries);
        Assert.Null(lib.DescribeError);
        return lib;
    }

    private static CheckResult Result(LibraryReport lib, string check) => Assert.Single(lib.Results, r => r.Check == check);

    private static void AssertVerdict(LibraryReport lib, string check, CheckVerdict verdict, string? reason = null)
    {
        var r = Result(lib, check);
        Assert.True(r.Verdict == verdict, $"{check}: expected {verdict}, got {r.Verdict}: {r.Summary}\n  {string.Join("\n  ", r.Details)}");
        if (reason is not null) Assert.Contains(reason, r.Summary);
    }

    [Fact]
    public void The_correct_greeter_passes_every_interface_check_and_names_plugin_and_interface()
    {
        var lib = Check("libnpfx_greeter_ok.so", [GreeterContract.Value]);
        Assert.Equal(InterfaceChecks().Count, lib.Results.Count);
        foreach (var r in lib.Results)
        {
            AssertVerdict(lib, r.Check, CheckVerdict.Pass);
            Assert.Equal("org.nativeplugins.fixture.greeter-ok", r.PluginId);
            Assert.Equal(GreeterContract.Id, r.InterfaceId);
        }
        Assert.Contains("acme.greeter/1 minor 1", Result(lib, "interface.layout").Summary);
        Assert.Contains("the layout report agrees", Result(lib, "interface.layout").Summary);
        Assert.Contains("carried a message", Result(lib, "interface.lifecycle").Summary);
        Assert.Contains("all freed by destroy", Result(lib, "interface.lifecycle").Summary);
    }

    [Fact]
    public void The_correct_greeter_passes_in_process_too()
    {
        var lib = Check("libnpfx_greeter_ok.so", [GreeterContract.Value], inProcess: true);
        Assert.All(lib.Results, r => Assert.Equal(CheckVerdict.Pass, r.Verdict));
    }

    [Fact]
    public void Fingerprint_zero_or_no_layouts_skips_the_layout_check_with_the_reason()
    {
        var lib = Check("libnpfx_greeter_ok_no_layout.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.layout", CheckVerdict.Skip, "interface_layouts is NULL");
        AssertVerdict(lib, "interface.vtable-size", CheckVerdict.Pass);
        AssertVerdict(lib, "interface.lifecycle", CheckVerdict.Pass);
    }

    [Fact]
    public void An_8_byte_vtable_fails_vtable_size_and_skips_what_it_cannot_reach()
    {
        var lib = Check("libnpfx_greeter_small_vtable.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.vtable-size", CheckVerdict.Fail, "struct_size is 8, smaller than acme_greeter_v1_t at minor 0 (40)");
        AssertVerdict(lib, "interface.required-functions", CheckVerdict.Skip, "see interface.vtable-size");
        AssertVerdict(lib, "interface.lifecycle", CheckVerdict.Skip, "beyond struct_size 8");
        AssertVerdict(lib, "interface.layout", CheckVerdict.Pass);
    }

    [Fact]
    public void A_null_required_function_is_named()
    {
        var lib = Check("libnpfx_greeter_null_function.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.required-functions", CheckVerdict.Fail, "acme.greeter/1: add is NULL (offset 32");
        AssertVerdict(lib, "interface.vtable-size", CheckVerdict.Pass);
    }

    [Fact]
    public void A_wrong_fingerprint_is_explained_by_the_first_field_the_report_shows_moved()
    {
        var lib = Check("libnpfx_greeter_layout_mismatch.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.layout", CheckVerdict.Fail,
            "acme.greeter/1: acme_greeter_v1_t.greet: offset 32 in the library, 24 in the contract's minor 1");
        var r = Result(lib, "interface.layout");
        Assert.Contains(r.Details, d => d.Contains("acme_greeter_v1_t.add: offset 24 in the library, 32"));
        Assert.Contains(r.Details, d => d.Contains("is no minor of the contract"));
    }

    [Fact]
    public void A_fingerprint_from_a_retyped_field_fails_although_the_report_shows_the_same_offsets()
    {
        // A host would accept it (the report shows nothing moved); the check names what a report cannot show.
        var lib = Check("libnpfx_greeter_retyped_field.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.layout", CheckVerdict.Fail, "yet the layout report shows exactly minor 1's layout");
    }

    [Fact]
    public void A_library_of_a_newer_minor_passes_when_its_report_only_appends()
    {
        var lib = Check("libnpfx_greeter_ok_newer_minor.so", [GreeterContract.Value]);
        Assert.All(lib.Results, r => Assert.Equal(CheckVerdict.Pass, r.Verdict));
        Assert.Contains("only appends to minor 1 (acme_greeter_v1_t.farewell)", Result(lib, "interface.layout").Summary);
        Assert.Contains(Result(lib, "interface.vtable-size").Details, d => d.Contains("struct_size 56 is larger than acme_greeter_v1_t at the contract's newest minor (48)"));
    }

    [Fact]
    public void A_failing_create_without_a_message_fails_the_lifecycle_check()
    {
        var lib = Check("libnpfx_greeter_create_no_message.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.lifecycle", CheckVerdict.Fail, "a create that should fail");
        Assert.Contains("len was not written (no message)", Result(lib, "interface.lifecycle").Summary);
    }

    [Fact]
    public void A_crash_in_create_is_a_failed_lifecycle_check_naming_the_signal_step_and_interface()
    {
        var lib = Check("libnpfx_greeter_crash_on_bad_config.so", [GreeterContract.Value]);
        var r = Result(lib, "interface.lifecycle");
        Assert.Equal(CheckVerdict.Fail, r.Verdict);
        Assert.Contains("SIGSEGV", r.Summary);
        Assert.Contains("a create that should fail: create", r.Summary); // the phase: which call crashed
        Assert.Equal(GreeterContract.Id, r.InterfaceId);
        // The other interface checks ran (before and after it, in a fresh worker) and passed.
        Assert.All(lib.Results.Where(x => x.Check != "interface.lifecycle"), x => Assert.Equal(CheckVerdict.Pass, x.Verdict));
    }

    [Fact]
    public void A_host_allocation_left_by_destroy_fails_the_lifecycle_check()
    {
        var lib = Check("libnpfx_greeter_leak_host_alloc.so", [GreeterContract.Value]);
        AssertVerdict(lib, "interface.lifecycle", CheckVerdict.Fail, "1 host allocation(s) not freed when destroy returned (5 bytes align 1)");
    }

    [Fact]
    public void Without_a_contract_a_listed_interface_is_not_checked_and_says_how_to_check_it()
    {
        // The 8-byte vtable passes nothing here, but it fails nothing either: a skip, with the way to check it.
        var lib = Check("libnpfx_greeter_small_vtable.so", []);
        Assert.Equal(InterfaceChecks().Count, lib.Results.Count);
        Assert.All(lib.Results, r =>
        {
            Assert.Equal(CheckVerdict.Skip, r.Verdict);
            Assert.Equal("acme.greeter/1 is not checked: pass --interface <manifest>", r.Summary);
            Assert.Equal(GreeterContract.Id, r.InterfaceId);
        });
    }

    [Fact]
    public void A_library_without_user_interfaces_skips_the_interface_checks_once_each()
    {
        var lib = Check("libnpfx_ok.so", [GreeterContract.Value]);
        Assert.Equal(InterfaceChecks().Count, lib.Results.Count);
        Assert.All(lib.Results, r => Assert.Equal(
            (CheckVerdict.Skip, "no plugin of the library lists an interface other than np.transform/1"), (r.Verdict, r.Summary)));
    }

    [Fact]
    public void The_same_interface_given_twice_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ConformanceRunner.Run(new ConformanceOptions
        {
            Libraries = ["unused.so"],
            Interfaces = [GreeterContract.Value, GreeterContract.Value],
        }));
        Assert.Contains("acme.greeter/1 is given more than once", e.Message);
    }

    [Fact]
    public void A_contract_survives_the_trip_to_a_worker_with_its_fingerprints()
    {
        var request = new WorkerRequest("x.so", false, [], new SuiteSettings(), [InterfaceContractWire.From(GreeterContract.Value)]);
        var back = WorkerJson.ParseRequest(WorkerJson.Serialize(request))!.Interfaces!.Single().ToContract();
        Assert.Equal(GreeterContract.Value.Id, back.Id);
        Assert.Equal(GreeterContract.Value.Fingerprint(0), back.Fingerprint(0));
        Assert.Equal(GreeterContract.Value.Fingerprint(1), back.Fingerprint(1));
        Assert.Equal(GreeterContract.Value.Functions, back.Functions);
        Assert.Equal(NativeFunctionRole.Create, back.Create?.Role);
    }

    [Fact]
    public void The_hand_written_contract_is_the_one_bindgen_describes()
    {
        // The fixtures' expected verdicts come from the manifest; the tests above use the hand-written contract.
        var manifest = NativeInterfaceContract.FromManifest(RepoLayout.RepoFile(GreeterContract.ManifestPath));
        var mine = GreeterContract.Value;
        Assert.Equal(mine.Id, manifest.Id);
        Assert.Equal(mine.NewestMinor, manifest.NewestMinor);
        for (uint m = 0; m <= mine.NewestMinor; m++) Assert.Equal(mine.Fingerprint(m), manifest.Fingerprint(m));
        Assert.Equal(mine.Functions, manifest.Functions);
        Assert.Equal((mine.MinimumSize, mine.Size), (manifest.MinimumSize, manifest.Size));
    }

    private static List<CheckInfo> InterfaceChecks() => ConformanceSuite.Checks.Where(c => c.Scope == CheckScope.Interface).ToList();
}
