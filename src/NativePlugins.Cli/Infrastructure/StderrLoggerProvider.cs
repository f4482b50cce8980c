using Microsoft.Extensions.Logging;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>Writes plugin log lines to stderr as <c>[category] level: message</c>. The category is the plugin id
/// (the library file name for lines logged during init/deinit), so every line says who wrote it.</summary>
public sealed class StderrLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider, ILoggerFactory
{
    private readonly Lock _lock = new();

    public static LogLevel ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" or "off" => LogLevel.None,
        _ => throw new UsageException($"unknown log level '{text}' (trace, debug, info, warn, error, none)"),
    };

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class Logger(StderrLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"[{category}] {Name(logLevel)}: {formatter(state, exception)}";
            lock (owner._lock) owner.Writer.WriteLine(line);
        }

        private static string Name(LogLevel l) => l switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "critical",
        };
    }

    private TextWriter Writer => writer;

    private LogLevel Minimum => minimum;
}
