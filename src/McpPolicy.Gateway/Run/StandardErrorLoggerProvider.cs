using System.Globalization;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// Writes log entries as single lines to a writer (standard error for <c>mcp-policy run</c>, whose standard output carries only the MCP
/// protocol). Line breaks inside messages are escaped so one entry is always one line.
/// </summary>
internal sealed class StandardErrorLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly TextWriter _writer;
    private readonly LogLevel _minimum;
    private readonly Lock _gate = new();

    public StandardErrorLoggerProvider(TextWriter writer, LogLevel minimum)
    {
        _writer = writer;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName)
    {
        // The MCP SDK logs every request at Information; below Debug only its errors matter to an operator.
        var minimum = categoryName.StartsWith("ModelContextProtocol", StringComparison.Ordinal) && _minimum > LogLevel.Debug
            ? LogLevel.Error
            : _minimum;
        return new Logger(this, ShortName(categoryName), minimum);
    }

    public void Dispose()
    {
    }

    /// <summary>The provider is its own factory: the gateway has one log destination.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    private static string ShortName(string category)
    {
        var dot = category.LastIndexOf('.');
        return dot >= 0 ? category[(dot + 1)..] : category;
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"mcp-policy: {Label(level)} {category}: {message}");
        if (exception is not null)
        {
            line += " (" + exception.GetType().Name + ": " + exception.Message + ")";
        }

        line = line.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "crit",
    };

    private sealed class Logger(StandardErrorLoggerProvider provider, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
