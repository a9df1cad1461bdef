using System.Buffers;
using System.Text.Json;

namespace McpPolicy.Client;

/// <summary>
/// A reusable UTF-8 buffer and JSON writer, kept one per thread and use (<c>[ThreadStatic]</c> slots), for writing a node to
/// bytes that are read back at once. Taken out of its slot while in use, so a nested use on the same thread gets a fresh one.
/// </summary>
internal sealed class ScratchWriter
{
    private const int MaxRetainedBytes = 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    private ScratchWriter(JsonWriterOptions options)
    {
        Writer = new Utf8JsonWriter(_buffer, options);
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>What was written so far (flushed).</summary>
    public ReadOnlySpan<byte> WrittenSpan
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenSpan;
        }
    }

    /// <summary>Wipes what was written, for another use while rented.</summary>
    public void Clear()
    {
        Writer.Reset(_buffer);
        _buffer.Clear();
    }

    /// <summary>Takes the writer out of <paramref name="slot"/>, or creates one.</summary>
    public static ScratchWriter Rent(ref ScratchWriter? slot, JsonWriterOptions options)
    {
        var scratch = slot ?? new ScratchWriter(options);
        slot = null;
        return scratch;
    }

    /// <summary>Wipes what was written and puts the writer back in <paramref name="slot"/> (a buffer grown past 1 MB is dropped).</summary>
    public static void Return(ref ScratchWriter? slot, ScratchWriter scratch)
    {
        if (scratch._buffer.Capacity > MaxRetainedBytes)
        {
            return;
        }

        scratch.Clear();
        slot = scratch;
    }
}
