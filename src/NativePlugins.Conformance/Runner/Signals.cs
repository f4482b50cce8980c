using NativePlugins.Interop;

namespace NativePlugins.Conformance.Runner;

/// <summary>Describes how a worker process ended.</summary>
internal static class Signals
{
    /// <summary>"killed by SIGSEGV (signal 11)" for exit codes above 128 (how .NET reports death by a signal on
    /// Unix), otherwise "exited with code N".</summary>
    public static string DescribeExit(int exitCode)
    {
        if (ProcessSignals.FromExitStatus(exitCode) is { } signal)
        {
            return $"killed by {ProcessSignals.Name(signal)} (signal {signal})" + signal switch
            {
                11 => ": the plugin dereferenced a bad pointer",
                6 => ": an abort (an uncaught C# exception or Rust panic across the boundary ends this way, and so does a " +
                     "bad pointer the .NET worker itself read)",
                7 => ": a bus error (misaligned or unmapped memory)",
                8 => ": an arithmetic fault",
                4 => ": an illegal instruction (a trap, e.g. __builtin_trap or a Rust abort)",
                _ => "",
            };
        }
        return $"exited with code {exitCode} before reporting a result";
    }
}
