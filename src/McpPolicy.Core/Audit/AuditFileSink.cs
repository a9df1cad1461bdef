using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy;

/// <summary>
/// The JSON Lines audit file: a keyed hash chain over every record (see <see cref="AuditChain"/>), an <c>open</c> record at the top of
/// each file, <c>checkpoint</c> records every <see cref="AuditOptions.CheckpointEvery"/> records or <see cref="AuditOptions.CheckpointInterval"/>,
/// and a <c>seal</c> record when a file is rotated (at <see cref="AuditOptions.MaxFileBytes"/>) or the sink is disposed. The chain
/// carries across files and process restarts: a new file's first record points at the last record of the previous file.
/// </summary>
/// <remarks>Not thread-safe: the audit writer calls it from its single loop.</remarks>
public sealed partial class AuditFileSink : IAuditSink, IAsyncDisposable
{
    private readonly AuditOptions _options;
    private readonly byte[] _key;
    private readonly string _keyId;
    private readonly string _directory;
    private readonly string _stem;
    private readonly string _extension;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<string> _files = [];
    private FileStream? _stream;
    private int _fileIndex;
    private long _seq = -1;
    private string _prev = AuditChain.Genesis;
    private bool _chainLoaded;
    private string? _continues;
    private int _sinceCheckpoint;
    private long _lastCheckpoint;
    private long _lastFsync;
    private bool _unsynced;
    private bool _disposed;

    /// <summary>Creates the sink. No file is touched until the first record.</summary>
    /// <param name="options">The audit settings; <see cref="AuditOptions.Path"/> and a key are required.</param>
    /// <param name="time">The clock for record times, fsync intervals and checkpoints.</param>
    /// <param name="logger">Receives checkpoint anchors and failures.</param>
    public AuditFileSink(AuditOptions options, TimeProvider? time = null, ILogger<AuditFileSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("AuditOptions.Path is required for the audit file sink.", nameof(options));
        }

        _options = options;
        _key = options.ResolveKey();
        _keyId = AuditKey.Id(_key);
        var full = System.IO.Path.GetFullPath(options.Path);
        _directory = System.IO.Path.GetDirectoryName(full) ?? System.IO.Path.GetPathRoot(full)!;
        _stem = System.IO.Path.GetFileNameWithoutExtension(full);
        _extension = System.IO.Path.GetExtension(full) is { Length: > 0 } ext ? ext : ".jsonl";
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _lastCheckpoint = _time.GetTimestamp();
        _lastFsync = _lastCheckpoint;
    }

    /// <summary>The file records are being written to; null before the first record.</summary>
    public string? CurrentPath => _stream?.Name;

    /// <summary>Every file this sink opened, oldest first.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The files of the chain at <paramref name="path"/> in chain order: every <c>stem.NNNNNN.ext</c> beside it, by number.</summary>
    /// <param name="path">The configured audit path (<see cref="AuditOptions.Path"/>).</param>
    /// <returns>The full paths, oldest first.</returns>
    public static IReadOnlyList<string> ChainFiles(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        var stem = System.IO.Path.GetFileNameWithoutExtension(full);
        var extension = System.IO.Path.GetExtension(full) is { Length: > 0 } ext ? ext : ".jsonl";
        return FindNumbered(directory, stem, extension).OrderBy(f => f.Index).Select(f => f.Path).ToList();
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureOpen();
        AppendRecord(record);
        _sinceCheckpoint++;
        if (_sinceCheckpoint >= _options.CheckpointEvery)
        {
            WriteCheckpoint();
        }

        if (_options.Fsync == AuditFsyncPolicy.PerRecord)
        {
            Sync();
        }

        if (_stream!.Length >= _options.MaxFileBytes)
        {
            Seal("rotate");
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken)
    {
        if (_stream is null || _disposed)
        {
            return ValueTask.CompletedTask;
        }

        if (_sinceCheckpoint > 0 && _time.GetElapsedTime(_lastCheckpoint) >= _options.CheckpointInterval)
        {
            WriteCheckpoint();
        }

        _stream.Flush(flushToDisk: false);
        if (_unsynced && _options.Fsync != AuditFsyncPolicy.None
            && (durable || _time.GetElapsedTime(_lastFsync) >= _options.FsyncInterval))
        {
            Sync();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Seals the current file (a <c>seal</c> record, flushed to disk) and closes it.</summary>
    /// <returns>A task that completes when closed.</returns>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_stream is not null)
            {
                try
                {
                    Seal("close");
                }
                catch (IOException ex)
                {
                    LogWriteFailed(_logger, CurrentPath ?? _directory, ex);
                    CloseQuietly();
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void EnsureOpen()
    {
        if (_stream is not null)
        {
            return;
        }

        Directory.CreateDirectory(_directory);
        if (!_chainLoaded)
        {
            LoadChainHead();
            _chainLoaded = true;
        }

        _fileIndex++;
        var path = System.IO.Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{_stem}.{_fileIndex:D6}{_extension}"));
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.None);
        _files.Add(path);
        var continues = _continues;
        var index = _fileIndex;
        var keyId = _keyId;
        var time = AuditRecord.FormatTime(_time.GetUtcNow());
        try
        {
            Append(w =>
            {
                w.WriteString("type", "open");
                w.WriteString("format", AuditChain.Format);
                w.WriteString("time", time);
                w.WriteNumber("file", index);
                w.WriteString("keyId", keyId);
                if (continues is not null)
                {
                    w.WriteString("continues", continues);
                }
            });
        }
        catch
        {
            CloseQuietly();
            throw;
        }

        _continues = null;
    }

    /// <summary>Finds the newest existing file of this chain and continues after its last complete line.</summary>
    private void LoadChainHead()
    {
        var newest = FindNumbered(_directory, _stem, _extension).OrderByDescending(f => f.Index).FirstOrDefault();
        if (newest.Path is null)
        {
            return;
        }

        _fileIndex = newest.Index;
        var bytes = File.ReadAllBytes(newest.Path);
        var end = bytes.AsSpan().LastIndexOf((byte)'\n');
        if (end < 0)
        {
            throw new InvalidOperationException($"The audit file '{newest.Path}' holds no complete record, so the chain cannot be continued. Move it away (keep it for investigation) and start again.");
        }

        var start = bytes.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
        try
        {
            using var last = JsonDocument.Parse(bytes.AsMemory(start, end - start));
            _seq = last.RootElement.GetProperty("seq").GetInt64();
            _prev = last.RootElement.GetProperty("mac").GetString() ?? throw new InvalidOperationException("mac is not a string");
            _continues = System.IO.Path.GetFileName(newest.Path);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The last record of the audit file '{newest.Path}' cannot be read, so the chain cannot be continued. Move the file away (keep it for investigation) and start again.", ex);
        }
    }

    private static IEnumerable<(string Path, int Index)> FindNumbered(string directory, string stem, string extension)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(directory, stem + ".*" + extension))
        {
            var name = System.IO.Path.GetFileName(file);
            var middle = name.AsSpan(stem.Length + 1, name.Length - stem.Length - 1 - extension.Length);
            if (middle.Length == 6 && int.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                yield return (file, index);
            }
        }
    }

    private void Append(Action<Utf8JsonWriter> body)
    {
        var seq = _seq + 1;
        WriteLine(seq, AuditChain.BuildLine(_key, seq, _prev, body, out var mac), mac);
    }

    private void AppendRecord(AuditRecord record)
    {
        var seq = _seq + 1;
        WriteLine(seq, AuditChain.SignLine(_key, AuditLineWriter.Unsigned(record, seq, _prev), out var mac), mac);
    }

    private void WriteLine(long seq, byte[] line, string mac)
    {
        try
        {
            _stream!.Write(line);
        }
        catch (IOException)
        {
            // The file may now end with part of a line: never append to it again; the next record starts a new file that continues
            // the chain from the last record known to be whole.
            CloseQuietly();
            throw;
        }

        _seq = seq;
        _prev = mac;
        _unsynced = true;
    }

    private void WriteCheckpoint()
    {
        var count = _sinceCheckpoint;
        var time = AuditRecord.FormatTime(_time.GetUtcNow());
        Append(w =>
        {
            w.WriteString("type", "checkpoint");
            w.WriteString("time", time);
            w.WriteNumber("records", count);
        });
        _sinceCheckpoint = 0;
        _lastCheckpoint = _time.GetTimestamp();
        LogCheckpoint(_logger, _seq, _prev, CurrentPath ?? string.Empty);
    }

    private void Seal(string reason)
    {
        var time = AuditRecord.FormatTime(_time.GetUtcNow());
        var count = _sinceCheckpoint;
        Append(w =>
        {
            w.WriteString("type", "seal");
            w.WriteString("time", time);
            w.WriteString("reason", reason);
            w.WriteNumber("records", count);
        });
        _sinceCheckpoint = 0;
        Sync();
        LogCheckpoint(_logger, _seq, _prev, CurrentPath ?? string.Empty);
        _stream!.Dispose();
        _stream = null;
    }

    private void Sync()
    {
        _stream!.Flush(flushToDisk: _options.Fsync != AuditFsyncPolicy.None);
        _unsynced = false;
        _lastFsync = _time.GetTimestamp();
    }

    private void CloseQuietly()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
        }

        _stream = null;
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "Audit chain head: record {Seq}, mac {Mac}, file {File}. Keep these anchors elsewhere to detect removal of later records.")]
    private static partial void LogCheckpoint(ILogger logger, long seq, string mac, string file);

    [LoggerMessage(EventId = 802, Level = LogLevel.Error, Message = "Writing the audit file {File} failed.")]
    private static partial void LogWriteFailed(ILogger logger, string file, Exception exception);
}
