namespace NativePlugins.Conformance.Runner;

/// <summary>Describes how a worker process ended.</summary>
internal static class Signals
{
    /// <summary>"killed by SIGSEGV (signal 11)" for exit codes above 128 (how .NET reports death by a signal on
    /// Unix), otherwise "exited with code N".</summary>
    public static string DescribeExit(int exitCode)
    {
        if (exitCode > 128 && exitCode < 128 + 65)
        {
            var signal = exitCode - 128;
            return $"killed by {Name(signal)} (signal {signal})" + signal switch
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

    public static string Name(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };
}
