using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// <c>nplug demo</c>: loads the bundled plugins, runs the pipeline of demo/pipeline.json over its sample data, and
/// narrates on stderr what it loaded, what each stage is for, and what each stage did. The records go to stdout.
/// The pipeline is data: add a stage to the JSON file (mark it "optional" if its plugin may be absent).
/// </summary>
internal static class DemoCommand
{
    public static string DefaultDefinition => Path.Combine(AppContext.BaseDirectory, "demo", "pipeline.json");

    public static int Run(DemoOptions o, CliConsole console)
    {
        if (o.BatchSize <= 0) throw new UsageException($"demo: --batch-size must be positive (got {o.BatchSize})");
        var err = console.Error;
        var definitionPath = o.Definition ?? DefaultDefinition;
        if (!File.Exists(definitionPath))
            throw new IOException($"{definitionPath}: no pipeline definition (the build copies demo/ next to nplug)");
        var def = PipelineDefinition.Load(definitionPath);

        using var host = HostFactory.Create(o, err);
        var discovery = host.LoadFromSearchPath();
        err.WriteLine($"nplug demo: {def.Description ?? Path.GetFileName(definitionPath)}");
        err.WriteLine($"loaded {host.Plugins.Count} plugin(s) from {host.Libraries.Count} librar{(host.Libraries.Count == 1 ? "y" : "ies")}:");
        var libraries = new TextTable("FILE", "SDK", "ABI", "PLUGINS");
        foreach (var l in host.Libraries)
            libraries.Add(l.FileName, l.Sdk, l.AgreedAbi.ToString(), string.Join(", ", l.Plugins.Select(p => p.Id)));
        libraries.Write(err, "  ");
        foreach (var e in discovery.Errors) err.WriteLine($"  warning: {e.Message}");

        var stages = new List<PipelineStage>();
        err.WriteLine("pipeline:");
        foreach (var s in def.Stages)
        {
            var present = host.TryGetPlugin(s.Plugin, out _);
            if (!present && s.Optional)
            {
                err.WriteLine($"  -  {s.Plugin} skipped: not installed (optional stage)");
                continue;
            }
            stages.Add(s.ToStage());
            err.WriteLine($"  {stages.Count}. {s.ToStage()}{(s.Note is null ? "" : "  -- " + s.Note)}");
        }
        if (stages.Count == 0) throw new UsageException($"{definitionPath}: no stage of the pipeline is available");

        var inputPath = o.Input ?? def.Input ?? throw new UsageException($"{definitionPath}: no \"input\" and no --input");
        using (var pipeline = PipelineRunner.Create(host, stages, discovery))
        using (var input = RunCommand.OpenInput(inputPath))
        {
            err.WriteLine($"input: {Path.GetFileName(inputPath)}");
            err.WriteLine("output:");
            err.Flush();
            var result = PipelineRunner.Run(pipeline, input, console.StdOut, o.BatchSize);
            console.StdOut.Flush();
            PipelineRunner.Report(pipeline, result, err);
        }
        // Instances are destroyed now: every host allocation of a well-behaved plugin is back (rule P4).
        err.WriteLine($"host allocator: {host.Allocations.TotalAllocations} allocation(s) by plugins, " +
            $"{host.Allocations.LiveAllocations} still live after destroy");
        return ExitCodes.Ok;
    }
}
