namespace NativePlugins.Conformance.Tests;

/// <summary>The test assembly is also the worker executable of the fixture runs (<see cref="Native.Worker"/>): started
/// with <c>--nplug-check-worker</c> it serves one worker request, as <c>nplug check --worker</c> does.</summary>
public static class Program
{
    public const string WorkerFlag = "--nplug-check-worker";

    public static int Main(string[] args) =>
        args is [WorkerFlag] ? ConformanceWorker.Run(Console.In) : 0;
}
