using System.Diagnostics;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

/// <summary>Streams lines through a pipeline: read a batch of lines into one native buffer, run it through every
/// stage (zero-copy between stages), write the last stage's records as lines, repeat; flush at the end.
/// Output is buffered, but flushed whenever the input is drained for now (<see cref="LineReader.Drained"/>): over a
/// pipe or a terminal, every record that could be produced is out before nplug waits for more input, while a file
/// (or a fast producer) still gets large writes.</summary>
internal static class PipelineRunner
{
    public sealed record Result(long LinesIn, long RecordsOut, TimeSpan Elapsed);

    public static Result Run(Pipeline pipeline, Stream input, Stream output, int batchSize)
    {
        if (batchSize <= 0) throw new UsageException("--batch-size must be positive");
        var sw = Stopwatch.StartNew();
        var reader = new LineReader(input);
        long written = 0;
        using var batch = new RecordBuffer();
        // Not disposed: disposing a BufferedStream closes the stream under it (stdout).
        var sink = new BufferedStream(output, 64 * 1024);
        while (true)
        {
            batch.Clear();
            if (!reader.ReadBatch(batch, batchSize)) break;
            written += Write(pipeline.Process(batch), sink);
            if (reader.Drained) sink.Flush();
        }
        written += Write(pipeline.Flush(), sink);
        sink.Flush();
        return new Result(reader.Lines, written, sw.Elapsed);
    }

    private static long Write(RecordBatch records, Stream sink)
    {
        foreach (var r in records)
        {
            sink.Write(r);
            sink.WriteByte((byte)'\n');
        }
        return records.Count;
    }

    /// <summary>The per-stage report on stderr.</summary>
    public static void Report(Pipeline pipeline, Result result, TextWriter w)
    {
        var table = new TextTable("#", "STAGE", "RECORDS IN", "RECORDS OUT", "BYTES IN", "BYTES OUT", "CALLS", "TIME")
            .AlignRight(0, 2, 3, 4, 5, 6, 7);
        int i = 0;
        foreach (var s in pipeline.Stats)
        {
            i++;
            table.Add(i.ToString(), s.Stage.ToString(), Formatting.Count(s.RecordsIn), Formatting.Count(s.RecordsOut),
                Formatting.Bytes(s.BytesIn), Formatting.Bytes(s.BytesOut), Formatting.Count(s.Calls), Formatting.Millis(s.Elapsed));
        }
        w.WriteLine();
        table.Write(w);
        w.WriteLine($"{Formatting.Count(result.LinesIn)} line(s) in, {Formatting.Count(result.RecordsOut)} record(s) out, " +
            $"{Formatting.Millis(result.Elapsed)} total");
    }

    /// <summary>Creates the pipeline, naming the load error of a requested plugin that failed to load.</summary>
    public static Pipeline Create(PluginHost host, IReadOnlyList<PipelineStage> stages, DiscoveryResult discovery)
    {
        foreach (var s in stages)
        {
            if (host.TryGetPlugin(s.PluginId, out _)) continue;
            var cause = discovery.Errors.FirstOrDefault(e => e.PluginId == s.PluginId);
            if (cause is not null) throw cause;
            throw new PluginNotFoundException(s.PluginId,
                $"no plugin '{s.PluginId}' found in {(discovery.Directories.Count == 0 ? "an empty search path" : string.Join(", ", discovery.Directories))}");
        }
        return host.CreatePipeline(stages, measureTime: true); // the TIME column
    }
}
