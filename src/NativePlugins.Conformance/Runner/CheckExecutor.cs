using System.Diagnostics;
using NativePlugins.Conformance.Harness;
using NativePlugins.Conformance.Suite;

namespace NativePlugins.Conformance.Runner;

/// <summary>Runs one unit in the current process and turns whatever happens into a <see cref="CheckResult"/>: the
/// problems the check recorded, a skip, or an exception. (A crash or a hang cannot be caught here: that is what the
/// worker processes are for.)</summary>
internal static class CheckExecutor
{
    public static CheckResult Execute(WorkUnit unit, LibraryState state, Action<string> phase)
    {
        var check = CheckCatalog.Get(unit.Check);
        var info = check.Info;
        var watch = Stopwatch.StartNew();
        var pluginId = unit.PluginId;
        CheckContext? context = null;
        try
        {
            PluginUnderTest? plugin = null;
            InterfaceUnderTest? iface = null;
            if (info.Scope == CheckScope.Transform)
            {
                plugin = state.Plugin(unit.PluginIndex ?? -1, out var reason);
                if (plugin is null) return Result(CheckVerdict.Skip, reason!, []);
                pluginId = plugin.Id;
            }
            else if (info.Scope == CheckScope.Interface)
            {
                iface = state.Interface(unit.PluginIndex ?? -1, unit.InterfaceId ?? "", out var reason);
                if (iface is null) return Result(CheckVerdict.Skip, reason!, []);
                pluginId = iface.Plugin.DisplayId;
            }
            context = new CheckContext(check, state.Path, () => state.Library, plugin, state.Settings, phase, iface);
            check.Run(context);
            return FromContext(context);
        }
        catch (CheckSkippedException e)
        {
            // Problems found before the check gave up still stand.
            return context is { Problems.Count: > 0 } ? FromContext(context) : Result(CheckVerdict.Skip, e.Message, context?.Notes ?? []);
        }
        catch (CheckFailedException)
        {
            return FromContext(context!);
        }
        catch (LibraryUnusableException e)
        {
            return Result(CheckVerdict.Skip, $"the library cannot be used: {e.Message}", []);
        }
        catch (Exception e)
        {
            return Result(CheckVerdict.Fail, $"the check itself failed (a bug in nplug check): {e.GetType().Name}: {e.Message}",
                [e.ToString()]);
        }

        CheckResult FromContext(CheckContext c)
        {
            if (c.Problems.Count > 0)
            {
                var summary = c.Problems[0] + (c.Problems.Count > 1 ? $" (and {c.Problems.Count - 1} more)" : "");
                return Result(CheckVerdict.Fail, summary, [.. c.Problems, .. c.Notes]);
            }
            return Result(CheckVerdict.Pass, c.PassSummary ?? "ok", c.Notes);
        }

        CheckResult Result(CheckVerdict verdict, string summary, IReadOnlyList<string> details) =>
            new(info.Name, info.Rule, pluginId, verdict, summary, details, watch.Elapsed, unit.InterfaceId);
    }
}
