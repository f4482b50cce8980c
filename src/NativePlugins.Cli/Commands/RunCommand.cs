using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug run --pipeline a,b,c [--config id=...] [--input file]</c>.</summary>
internal static class RunCommand
{
    public static int Run(RunOptions o, CliConsole console)
    {
        // Checked before any plugin is loaded: a typo must not cost a library's init.
        if (o.BatchSize <= 0) throw new UsageException($"run: --batch-size must be positive (got {o.BatchSize})");
        var stages = Stages(o);
        if (o.ExitAfterReloads is { } n && (!o.Watch || n <= 0))
            throw new UsageException("run: --exit-after-reloads needs --watch and a positive count");
        if (o.Watch) return WatchCommand.Run(o, stages, console);
        using var host = HostFactory.Create(o, console.Error);
        var discovery = host.LoadFromSearchPath();
        foreach (var e in discovery.Errors) console.Error.WriteLine($"nplug: warning: {e.Message}");

        using var pipeline = PipelineRunner.Create(host, stages, discovery);
        using var file = o.Input is null ? null : OpenInput(o.Input);
        var result = PipelineRunner.Run(pipeline, file ?? console.StdIn, console.StdOut, o.BatchSize);
        if (!o.Quiet) PipelineRunner.Report(pipeline, result, console.Error);
        return ExitCodes.Ok;
    }

    internal static Stream OpenInput(string path)
    {
        // Opening a directory fails with "Access to the path is denied", which sends the user after permissions.
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory, not an input file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot open the input: {e.Message}", e);
        }
    }

    private static List<PipelineStage> Stages(RunOptions o)
    {
        var ids = o.Pipeline.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (o.Definition is not null)
        {
            if (ids.Count > 0) throw new UsageException("give either --pipeline or --definition, not both");
            var def = PipelineDefinition.Load(o.Definition);
            if (def.Stages.Any(s => s.Optional))
                throw new UsageException("optional stages are for the demo; run needs every stage");
            var fromFile = def.Stages.Select(s => s.ToStage()).ToList();
            return ApplyConfig(fromFile, o.Config);
        }
        if (ids.Count == 0) throw new UsageException("run: missing option --pipeline: give the plugin ids of the stages, or a --definition file");
        return ApplyConfig(ids.Select(id => new PipelineStage(id)).ToList(), o.Config);
    }

    /// <summary>--config id=cfg sets every stage with that id; --config #N=cfg sets stage N (1-based).</summary>
    internal static List<PipelineStage> ApplyConfig(List<PipelineStage> stages, IEnumerable<string> configs)
    {
        foreach (var c in configs)
        {
            var eq = c.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--config '{c}': expected id=config or #N=config");
            var key = c[..eq];
            var value = c[(eq + 1)..];
            if (key.StartsWith('#'))
            {
                if (!int.TryParse(key.AsSpan(1), out var n) || n < 1 || n > stages.Count)
                    throw new UsageException($"--config '{c}': there is no stage {key} (1..{stages.Count})");
                stages[n - 1] = stages[n - 1] with { Config = value };
                continue;
            }
            bool found = false;
            for (int i = 0; i < stages.Count; i++)
                if (stages[i].PluginId == key)
                {
                    stages[i] = stages[i] with { Config = value };
                    found = true;
                }
            if (!found) throw new UsageException($"--config '{c}': '{key}' is not a stage of the pipeline");
        }
        return stages;
    }
}
