namespace NativePlugins.Conformance.Suite;

/// <summary>One check: its description and the code that runs it against a <see cref="CheckContext"/>.</summary>
internal sealed class Check(CheckInfo info, Action<CheckContext> body)
{
    public CheckInfo Info { get; } = info;
    public string Name => Info.Name;
    public void Run(CheckContext context) => body(context);
}

/// <summary>Thrown by <see cref="CheckContext.Skip"/>: the check does not apply.</summary>
internal sealed class CheckSkippedException(string reason) : Exception(reason);

/// <summary>Thrown by <see cref="CheckContext.Fail"/>: the check cannot go on after this problem.</summary>
internal sealed class CheckFailedException(string problem) : Exception(problem);
