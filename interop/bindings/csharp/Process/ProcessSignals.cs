namespace NativePlugins.Interop;

/// <summary>
/// Names of the signals a plugin's process can die of, for the messages of everything that runs plugin code in a
/// child process (the isolation worker, the discovery scanner, the conformance runner's workers): one table, so that
/// the same death reads the same everywhere. Linux numbering (x86-64 and arm64 share it).
/// </summary>
public static class ProcessSignals
{
    /// <summary>"SIGSEGV" for 11, ..., "signal N" for one without a name here.</summary>
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
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => $"signal {signal}",
    };

    /// <summary>The signal a child ended with, from the exit status .NET reports for it (128 + n on Unix), or null
    /// when it exited normally.</summary>
    public static int? FromExitStatus(int status) => status > 128 && status < 128 + 65 ? status - 128 : null;
}
