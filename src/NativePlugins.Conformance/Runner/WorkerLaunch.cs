using System.Reflection;

namespace NativePlugins.Conformance;

/// <summary>How to start a worker process: <see cref="FileName"/> with <see cref="Arguments"/>; the worker reads its
/// <c>WorkerRequest</c> from stdin and must call <see cref="ConformanceWorker.Run"/>.</summary>
public sealed record WorkerLaunch(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>This executable again, with <paramref name="arguments"/> (e.g. <c>check --worker</c>). When the
    /// process runs under the <c>dotnet</c> muxer, the entry assembly is passed first.</summary>
    public static WorkerLaunch CurrentProcess(params string[] arguments)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry)) throw new InvalidOperationException("the entry assembly of this process is unknown");
            return new WorkerLaunch(path, [entry, .. arguments]);
        }
        return new WorkerLaunch(path, arguments);
    }
}
