using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpPolicy.Chains.Inspection;

/// <summary>
/// Sanitizes and redacts the strings of one result, and rewrites structured JSON only when one of its strings changes. A struct, used
/// through <c>ref</c>, so that inspecting a clean result allocates nothing.
/// </summary>
internal struct ResultSanitizer
{
    private const int MaxDepth = 256;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };
    private static readonly JsonWriterOptions WriterOptions = new() { MaxDepth = MaxDepth };

    private readonly InspectionSettings _settings;
    private readonly IResultRedactor[] _redactors;
    private readonly ToolInvocationContext _context;
    /// <summary>What has been changed so far.</summary>
    public InspectionTally Tally;

    public ResultSanitizer(InspectionSettings settings, IResultRedactor[] redactors, ToolInvocationContext context)
    {
        _settings = settings;
        _redactors = settings.RedactSecrets ? redactors : [];
        _context = context;
    }

    /// <summary>Sanitizes then redacts <paramref name="text"/>; the same instance when nothing changes.</summary>
    public string Text(string text)
    {
        var sanitized = UnsafeText.Sanitize(text, _settings.UnsafeText, ref Tally);
        return Redact(sanitized);
    }

    /// <summary>Like <see cref="Text(string)"/> for an optional string.</summary>
    public string? OptionalText(string? text) => text is null ? null : Text(text);

    /// <summary>Sanitizes and redacts <paramref name="text"/>; null when nothing changes.</summary>
    public string? Text(ReadOnlySpan<char> text, bool redact)
    {
        var sanitized = UnsafeText.Sanitize(text, _settings.UnsafeText, ref Tally);
        if (!redact)
        {
            return sanitized;
        }

        if (sanitized is not null)
        {
            return Redact(sanitized);
        }

        for (var i = 0; i < _redactors.Length; i++)
        {
            if (_redactors[i].TryRedact(text, _context, out var redacted, out var count))
            {
                Tally.Redactions += count;
                return Redact(redacted, i + 1);
            }
        }

        return null;
    }

    /// <summary>Runs the redactors from <paramref name="from"/> on, each on the previous one's output; the same instance when none redacts.</summary>
    private string Redact(string text, int from = 0)
    {
        for (var i = from; i < _redactors.Length; i++)
        {
            if (_redactors[i].TryRedact(text, _context, out var redacted, out var count))
            {
                Tally.Redactions += count;
                text = redacted;
            }
        }

        return text;
    }

    /// <summary>Applies the configured untrusted-content marking to a text block or text resource.</summary>
    public string Mark(string text)
    {
        var marking = _settings.Marking;
        if (marking == UntrustedContentMarking.None)
        {
            return text;
        }

        if ((marking & UntrustedContentMarking.Datamark) != 0)
        {
            text = ContentMarking.Datamark(text, _settings.DatamarkCharacter);
        }

        if ((marking & UntrustedContentMarking.Delimit) != 0)
        {
            text = ContentMarking.Delimit(text, _context.QualifiedName);
        }

        Tally.MarkedBlocks++;
        return text;
    }

    /// <summary>
    /// Sanitizes every string value and property name in <paramref name="element"/> (values are redacted too). Returns false, having
    /// allocated nothing but pooled buffers, when nothing changes. Throws when the rewritten JSON would be invalid, for example
    /// when two property names of one object become equal.
    /// </summary>
    public bool TryRewrite(JsonElement element, out JsonElement rewritten)
    {
        rewritten = default;
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            return false;
        }

        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (!NeedsRewrite(raw))
        {
            return false;
        }

        var buffer = new ArrayBufferWriter<byte>(raw.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Rewrite(raw, writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = MaxDepth });
        rewritten = document.RootElement.Clone();
        return true;
    }

    private bool NeedsRewrite(ReadOnlySpan<byte> raw)
    {
        var reader = new Utf8JsonReader(raw, ReaderOptions);
        char[]? pooled = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                var value = reader.ValueSpan;
                var redact = reader.TokenType == JsonTokenType.String && _redactors.Length > 0;
                if (!reader.ValueIsEscaped && !redact && IsPlainAscii(value))
                {
                    continue;
                }

                var chars = Decode(ref reader, value.Length, ref pooled);
                if (UnsafeText.NeedsChange(chars, _settings.UnsafeText))
                {
                    return true;
                }

                if (redact)
                {
                    foreach (var redactor in _redactors)
                    {
                        if (redactor.TryRedact(chars, _context, out _, out _))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }
        finally
        {
            if (pooled is not null)
            {
                ArrayPool<char>.Shared.Return(pooled);
            }
        }
    }

    private void Rewrite(ReadOnlySpan<byte> raw, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(raw, ReaderOptions);
        var names = new Stack<HashSet<string>>();
        char[]? pooled = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        names.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        names.Pop();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                    {
                        var chars = Decode(ref reader, ValueLength(ref reader), ref pooled);
                        var name = Text(chars, redact: false) ?? chars.ToString();
                        if (!names.Peek().Add(name))
                        {
                            throw new InvalidOperationException("Two property names of one object in structuredContent are equal once sanitized.");
                        }

                        writer.WritePropertyName(name);
                        break;
                    }

                    case JsonTokenType.String:
                    {
                        var chars = Decode(ref reader, ValueLength(ref reader), ref pooled);
                        var text = Text(chars, redact: _redactors.Length > 0);
                        if (text is null)
                        {
                            writer.WriteStringValue(chars);
                        }
                        else
                        {
                            writer.WriteStringValue(text);
                        }

                        break;
                    }

                    case JsonTokenType.Number:
                        writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                    case JsonTokenType.True:
                        writer.WriteBooleanValue(true);
                        break;
                    case JsonTokenType.False:
                        writer.WriteBooleanValue(false);
                        break;
                    case JsonTokenType.Null:
                        writer.WriteNullValue();
                        break;
                    default:
                        throw new InvalidOperationException($"Unexpected JSON token {reader.TokenType} in structuredContent.");
                }
            }
        }
        finally
        {
            if (pooled is not null)
            {
                ArrayPool<char>.Shared.Return(pooled);
            }
        }
    }

    private static int ValueLength(ref Utf8JsonReader reader) => reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;

    /// <summary>Unescapes the current string token into a pooled buffer (an unescaped string never has more UTF-16 units than UTF-8 bytes).</summary>
    private static ReadOnlySpan<char> Decode(ref Utf8JsonReader reader, int byteLength, ref char[]? pooled)
    {
        if (pooled is null || pooled.Length < byteLength)
        {
            if (pooled is not null)
            {
                ArrayPool<char>.Shared.Return(pooled);
            }

            pooled = ArrayPool<char>.Shared.Rent(Math.Max(byteLength, 256));
        }

        if (!reader.ValueIsEscaped)
        {
            return pooled.AsSpan(0, System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, pooled));
        }

        try
        {
            return pooled.AsSpan(0, reader.CopyString(pooled));
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (half of a pair, or half of a tag character): keep it so that it is sanitized, not refused.
            return pooled.AsSpan(0, JsonStringText.Unescape(reader.ValueSpan, pooled));
        }
    }

    /// <summary>True for text of printable ASCII only, which holds nothing unsafe.</summary>
    private static bool IsPlainAscii(ReadOnlySpan<byte> value) => !value.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E);
}
