using System.Collections.Concurrent;
using System.Diagnostics;
using NativePlugins.Conformance.Runner;
using NativePlugins.Conformance.Suite;

namespace NativePlugins.Conformance;

/// <summary>
/// The single entry point of the suite: plans the selected checks for each library (library checks once, transform
/// checks once per np.transform/1 plugin, interface checks once per plugin and interface a given contract describes,
/// all found by a first worker that describes the library), runs them in worker
/// processes (a group of cheap checks shares one; checks that measure the process get their own), retries failed
/// time-budget checks in fresh workers, and returns the report.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Runs the suite. Throws <see cref="ArgumentException"/> for options that select nothing.</summary>
    public static ConformanceReport Run(ConformanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Libraries.Count == 0) throw new ArgumentException("no library to check");
        var duplicate = options.Interfaces.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"interface {duplicate.Key} is given more than once");
        var selected = ConformanceSuite.Select(options.CheckPatterns);
        var settings = options.Settings with { CheckTimeout = options.CheckTimeout };
        var total = Stopwatch.StartNew();
        var libraries = options.Libraries
            .Select(l => options.InProcess ? RunInProcess(l, selected, settings, options)
                                           : RunOutOfProcess(l, selected, settings, options))
            .ToList();
        return new ConformanceReport(libraries, total.Elapsed);
    }

    private static LibraryReport RunOutOfProcess(string library, IReadOnlyList<CheckInfo> selected, SuiteSettings settings,
                                                 ConformanceOptions options)
    {
        var watch = Stopwatch.StartNew();
        var launch = options.Worker ?? WorkerLaunch.CurrentProcess("check", "--worker");
        var runner = new WorkerBatchRunner(launch, options.CheckTimeout, settings,
            options.Interfaces.Select(InterfaceContractWire.From).ToList());
        var observer = options.Observer;
        var results = new ConcurrentBag<CheckResult>();
        var libraryChecks = selected.Where(c => c.Scope == CheckScope.Library).ToList();
        var transformChecks = selected.Where(c => c.Scope == CheckScope.Transform).ToList();
        var interfaceChecks = selected.Where(c => c.Scope == CheckScope.Interface).ToList();
        observer?.LibraryStarted(library, libraryChecks.Count);

        void Finished(CheckResult r)
        {
            results.Add(r);
            observer?.CheckFinished(library, r);
        }

        // The describe worker also runs the cheap library checks; checks that need a process of their own get one.
        var described = new TaskCompletionSource<LibraryDescription>(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new List<WorkerBatch>
        {
            new(library, true, libraryChecks.Where(c => c.Isolation == CheckIsolation.Group).Select(c => (new WorkUnit(c.Name, null, null), c)).ToList()),
        };
        // Checks of one group that need a fresh process share it (they run in suite order, e.g. init/deinit
        // ref-counting, then the init table's balance); timing.load-cold and memory.rss-flat have groups of their own.
        batches.AddRange(libraryChecks.Where(c => c.Isolation == CheckIsolation.OwnProcess).GroupBy(c => c.Group)
            .Select(g => new WorkerBatch(library, false, g.Select(c => (new WorkUnit(c.Name, null, null), c)).ToList())));

        using var slots = new SemaphoreSlim(Math.Max(1, options.Jobs));
        var running = new List<Task>();
        Task Start(WorkerBatch batch) => Task.Run(() =>
        {
            slots.Wait();
            try
            {
                runner.Run(batch, d => described.TrySetResult(d), Finished);
            }
            finally
            {
                slots.Release();
            }
        });
        running.AddRange(batches.Select(Start));
        running[0].ContinueWith(_ => described.TrySetResult(new LibraryDescription(null, [], "the library could not be described")));

        var description = described.Task.GetAwaiter().GetResult();
        var (plan, skipped) = PlanTransformUnits(library, description, transformChecks);
        var (interfacePlan, interfaceSkipped) = PlanInterfaceUnits(library, description, interfaceChecks, options.Interfaces);
        plan.AddRange(interfacePlan);
        skipped.AddRange(interfaceSkipped);
        observer?.ChecksPlanned(library, plan.Sum(b => b.Units.Count) + skipped.Count);
        skipped.ForEach(Finished);
        running.AddRange(plan.Select(Start));
        Task.WaitAll(running);

        // Time-budget checks get more attempts, one at a time on a quieter machine, in fresh workers.
        foreach (var failed in results.Where(r => r.Verdict == CheckVerdict.Fail).ToList())
        {
            var info = selected.First(c => c.Name == failed.Check);
            if (info.Attempts <= 1) continue;
            var last = failed;
            for (var attempt = 2; attempt <= info.Attempts && last.Verdict == CheckVerdict.Fail; attempt++)
            {
                CheckResult? again = null;
                var unit = new WorkUnit(info.Name, PluginIndex(description, failed.PluginId), failed.PluginId, failed.InterfaceId);
                runner.Run(new WorkerBatch(library, false, [(unit, info)]), _ => { }, r => again = r);
                if (again is null) break;
                last = again with
                {
                    Details = [.. again.Details, $"attempt {attempt} of {info.Attempts} ({(again.Verdict == CheckVerdict.Pass ? "passed" : "failed again")}; earlier attempt: {failed.Summary})"],
                };
            }
            ReplaceResult(results, failed, last);
        }

        var report = new LibraryReport(library, description.Sdk, description.Plugins, description.Error,
            Order(results, selected, description), watch.Elapsed);
        observer?.LibraryFinished(report);
        return report;
    }

    private static int? PluginIndex(LibraryDescription d, string? pluginId) =>
        pluginId is null ? null : d.Plugins.FirstOrDefault(p => p.Id == pluginId)?.Index;

    private static void ReplaceResult(ConcurrentBag<CheckResult> bag, CheckResult old, CheckResult replacement)
    {
        var all = bag.ToList();
        bag.Clear();
        foreach (var r in all) bag.Add(ReferenceEquals(r, old) ? replacement : r);
    }

    /// <summary>Transform checks: one unit per check and plugin, grouped as the checks ask; for a library without a
    /// transform plugin (or one that could not be described) each check is reported skipped, with the reason.</summary>
    private static (List<WorkerBatch> Batches, List<CheckResult> Skipped) PlanTransformUnits(
        string library, LibraryDescription description, IReadOnlyList<CheckInfo> checks)
    {
        var transforms = description.Plugins.Where(p => p.IsTransform).ToList();
        if (checks.Count == 0) return ([], []);
        if (transforms.Count == 0)
        {
            var reason = description.Error is { } error
                ? $"the library cannot be used: {error}"
                : $"no plugin of the library implements {Interop.NpAbi.NP_TRANSFORM_ID_STRING}";
            return ([], checks.Select(c => new CheckResult(c.Name, c.Rule, null, CheckVerdict.Skip, reason, [], TimeSpan.Zero)).ToList());
        }
        var units = checks.SelectMany(c => transforms.Select(p => (Unit: new WorkUnit(c.Name, p.Index, p.Id), Info: c))).ToList();
        var batches = units
            .GroupBy(u => u.Info.Isolation == CheckIsolation.OwnProcess ? $"{u.Info.Group}/{u.Unit.PluginIndex}" : u.Info.Group)
            .Select(g => new WorkerBatch(library, false, g.ToList()))
            .ToList();
        return (batches, []);
    }

    /// <summary>Interface checks: one unit per check, plugin and listed interface that a contract describes, all in
    /// the "interface" group's worker (the checks are cheap, and a crash only costs a restart). Every listed interface
    /// that no contract describes gets each check skipped with the way to check it (np.transform/1 has its own
    /// checks); a library without any such interface gets each check skipped once, with the reason.</summary>
    private static (List<WorkerBatch> Batches, List<CheckResult> Skipped) PlanInterfaceUnits(
        string library, LibraryDescription description, IReadOnlyList<CheckInfo> checks, IReadOnlyList<Interop.NativeInterfaceContract> contracts)
    {
        if (checks.Count == 0) return ([], []);
        var listed = description.Plugins
            .SelectMany(p => p.Interfaces.Where(i => i != Interop.NpAbi.NP_TRANSFORM_ID_STRING).Distinct().Select(i => (Plugin: p, Interface: i)))
            .ToList();
        CheckResult Skip(CheckInfo c, string? plugin, string? iface, string reason) =>
            new(c.Name, c.Rule, plugin, CheckVerdict.Skip, reason, [], TimeSpan.Zero, iface);
        if (listed.Count == 0)
        {
            var reason = description.Error is { } error
                ? $"the library cannot be used: {error}"
                : $"no plugin of the library lists an interface other than {Interop.NpAbi.NP_TRANSFORM_ID_STRING}";
            return ([], checks.Select(c => Skip(c, null, null, reason)).ToList());
        }
        var known = contracts.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var skipped = listed.Where(x => !known.Contains(x.Interface))
            .SelectMany(x => checks.Select(c => Skip(c, x.Plugin.Id, x.Interface, $"{x.Interface} is not checked: pass --interface <manifest>")))
            .ToList();
        var units = listed.Where(x => known.Contains(x.Interface))
            .SelectMany(x => checks.Select(c => (Unit: new WorkUnit(c.Name, x.Plugin.Index, x.Plugin.Id, x.Interface), Info: c)))
            .ToList();
        var batches = units.Count == 0 ? [] : new List<WorkerBatch> { new(library, false, units) };
        return (batches, skipped);
    }

    private static LibraryReport RunInProcess(string library, IReadOnlyList<CheckInfo> selected, SuiteSettings settings,
                                              ConformanceOptions options)
    {
        var observer = options.Observer;
        var watch = Stopwatch.StartNew();
        var results = new List<CheckResult>();
        using var state = new LibraryState(library, settings, options.Interfaces);
        var libraryChecks = selected.Where(c => c.Scope == CheckScope.Library).ToList();
        observer?.LibraryStarted(library, libraryChecks.Count);
        void Execute(WorkUnit unit)
        {
            var r = CheckExecutor.Execute(unit, state, _ => { });
            results.Add(r);
            observer?.CheckFinished(library, r);
        }

        // A cold load can only be measured before anything else opens the library.
        foreach (var c in libraryChecks.Where(c => c.Name == "timing.load-cold")) Execute(new WorkUnit(c.Name, null, null));
        var description = state.Describe();
        foreach (var c in libraryChecks.Where(c => c.Name != "timing.load-cold")) Execute(new WorkUnit(c.Name, null, null));
        var (plan, skipped) = PlanTransformUnits(library, description, selected.Where(c => c.Scope == CheckScope.Transform).ToList());
        var (interfacePlan, interfaceSkipped) = PlanInterfaceUnits(library, description,
            selected.Where(c => c.Scope == CheckScope.Interface).ToList(), options.Interfaces);
        plan.AddRange(interfacePlan);
        skipped.AddRange(interfaceSkipped);
        observer?.ChecksPlanned(library, plan.Sum(b => b.Units.Count) + skipped.Count);
        foreach (var r in skipped)
        {
            results.Add(r);
            observer?.CheckFinished(library, r);
        }
        foreach (var (unit, _) in plan.SelectMany(b => b.Units)) Execute(unit);
        var report = new LibraryReport(library, description.Sdk, description.Plugins, description.Error,
            Order(results, selected, description), watch.Elapsed);
        observer?.LibraryFinished(report);
        return report;
    }

    /// <summary>Suite order, then plugin order.</summary>
    private static List<CheckResult> Order(IEnumerable<CheckResult> results, IReadOnlyList<CheckInfo> selected, LibraryDescription d)
    {
        var rank = selected.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i);
        return results.OrderBy(r => rank.GetValueOrDefault(r.Check, int.MaxValue))
            .ThenBy(r => PluginIndex(d, r.PluginId) ?? -1)
            .ThenBy(r => r.InterfaceId, StringComparer.Ordinal)
            .ToList();
    }
}
