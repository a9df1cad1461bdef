using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// Starts the child MCP server and speaks MCP with it over its standard input/output through a <see cref="LineTransport"/>: like the SDK's
/// stdio transport but with fewer thread hops per message and bounded memory: a line (one JSON-RPC message) longer than <see cref="MaxLineBytes"/> ends the connection and kills the child instead of
/// growing a buffer without limit. Standard error is relayed line by line (each line cut at 4 KB) and its last lines are kept for the report.
/// Disposing kills the child's process tree.
/// </summary>
internal sealed partial class ChildProcessTransport : IClientTransport, IAsyncDisposable
{
    /// <summary>The longest message line accepted from the child: 16 MiB.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private const int MaxStderrLine = 4096;
    private const int StderrTailLines = 10;

    private readonly GatewaySettings _settings;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Queue<string> _stderrTail = new();
    private readonly int _maxLineBytes;
    private Process? _process;
    private string? _violation;

    public ChildProcessTransport(GatewaySettings settings, ILoggerFactory loggerFactory, int maxLineBytes = MaxLineBytes)
    {
        _settings = settings;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("McpPolicy.Gateway.Child");
        _maxLineBytes = maxLineBytes;
    }

    public string Name => _settings.ServerId;

    public Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult<ITransport>(Connect());
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return Task.FromException<ITransport>(ex);
        }
    }

    private LineTransport Connect()
    {
        var start = new ProcessStartInfo(_settings.Command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = null,
        };
        foreach (var argument in _settings.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new IOException($"'{_settings.Command}' did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new IOException($"'{_settings.Command}' could not be started: {ex.Message}", ex);
        }

        _ = Task.Run(() => PumpStandardErrorAsync(_process), CancellationToken.None);
        return new LineTransport(
            _process.StandardOutput.BaseStream,
            _process.StandardInput.BaseStream,
            new LineTransportOptions { Name = "server " + _settings.ServerId, MaxLineBytes = _maxLineBytes, OnOversized = OnOversizedLine },
            _logger);
    }

    /// <summary>How the child ended, for the report: exit code, a protocol violation and the last lines of its standard error.</summary>
    public string DescribeEnd()
    {
        var process = _process;
        string text;
        if (_violation is not null)
        {
            text = _violation;
        }
        else if (process is null)
        {
            text = "the process never started";
        }
        else if (process.WaitForExit(TimeSpan.FromSeconds(2)))
        {
            text = $"the process exited with code {process.ExitCode}";
        }
        else
        {
            text = "the process closed its standard output but is still running";
        }

        lock (_stderrTail)
        {
            if (_stderrTail.Count > 0)
            {
                text += "; last standard error: " + string.Join(" | ", _stderrTail);
            }
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                }

                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    private void OnOversizedLine()
    {
        _violation = $"the server wrote more than {_maxLineBytes} bytes without a line break, which is not an MCP message; it was stopped";
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private async Task PumpStandardErrorAsync(Process process)
    {
        var reader = process.StandardError;
        var buffer = new char[MaxStderrLine];
        var line = new System.Text.StringBuilder();
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var ch = buffer[i];
                    if (ch == '\n')
                    {
                        Emit(line.ToString().TrimEnd('\r'));
                        line.Clear();
                    }
                    else if (line.Length < MaxStderrLine)
                    {
                        line.Append(ch);
                    }
                }
            }

            if (line.Length > 0)
            {
                Emit(line.ToString());
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The child is gone.
        }
    }

    private void Emit(string line)
    {
        lock (_stderrTail)
        {
            _stderrTail.Enqueue(line);
            while (_stderrTail.Count > StderrTailLines)
            {
                _stderrTail.Dequeue();
            }
        }

        LogStandardError(_logger, _settings.ServerId, line);
    }

    [LoggerMessage(EventId = 9201, Level = LogLevel.Information, Message = "child {ServerId}: {Line}")]
    private static partial void LogStandardError(ILogger logger, string serverId, string line);
}
