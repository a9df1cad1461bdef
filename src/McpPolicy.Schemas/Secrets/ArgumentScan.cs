using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// One walk over a call's arguments, depth first in document order: every property name and string value is scanned until the
/// first finding, within the depth and text budgets. Strings are read as raw UTF-8 and only copied when they hold escapes.
/// </summary>
internal ref struct ArgumentScan
{
    private const int StackBufferLength = 512;

    private readonly SecretScanSettings _settings;
    private readonly PathSegment[] _path;
    private readonly Span<bool> _applicable;
    private readonly bool _anyExemption;
    private long _budget;

    /// <param name="settings">What to look for.</param>
    /// <param name="path">Scratch for the current path, at least <see cref="SecretScanSettings.MaxDepth"/> long; holds the finding's path after <see cref="Run"/>.</param>
    /// <param name="applicable">For each of the settings' exemptions, whether it applies to this call's tool.</param>
    public ArgumentScan(SecretScanSettings settings, PathSegment[] path, Span<bool> applicable)
    {
        _settings = settings;
        _path = path;
        _applicable = applicable;
        _anyExemption = applicable.Contains(true);
        _budget = settings.MaxScannedBytes;
    }

    public SecretFinding Run(ToolArguments arguments)
    {
        foreach (var (name, value) in arguments)
        {
            _path[0] = PathSegment.Argument(name);
            if (IsExempt(1))
            {
                continue;
            }

            var kind = ScanArgumentName(name, out var secretName);
            if (kind != SecretKind.None)
            {
                return new SecretFinding(kind, 1, InName: kind is not (SecretKind.TooLarge or SecretKind.TooDeep));
            }

            var found = Visit(value, 1, secretName);
            if (found.Kind != SecretKind.None)
            {
                return found;
            }
        }

        return default;
    }

    private SecretFinding Visit(JsonElement element, int depth, SecretName name)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                var kind = ScanText(raw[1..^1], name, classify: false, out _);
                return kind == SecretKind.None ? default : new SecretFinding(kind, depth, InName: false);

            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (depth >= _settings.MaxDepth)
                    {
                        return new SecretFinding(SecretKind.TooDeep, depth, InName: false);
                    }

                    _path[depth] = PathSegment.Property(property);
                    if (IsExempt(depth + 1))
                    {
                        continue;
                    }

                    var nameKind = ScanText(JsonMarshal.GetRawUtf8PropertyName(property), SecretName.None, classify: true, out var propertyName);
                    if (nameKind != SecretKind.None)
                    {
                        return new SecretFinding(nameKind, depth + 1, InName: nameKind is not (SecretKind.TooLarge or SecretKind.TooDeep));
                    }

                    var found = Visit(property.Value, depth + 1, propertyName);
                    if (found.Kind != SecretKind.None)
                    {
                        return found;
                    }
                }

                return default;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (depth >= _settings.MaxDepth)
                    {
                        return new SecretFinding(SecretKind.TooDeep, depth, InName: false);
                    }

                    _path[depth] = PathSegment.Item(index++);
                    if (IsExempt(depth + 1))
                    {
                        continue;
                    }

                    var found = Visit(item, depth + 1, SecretName.None);
                    if (found.Kind != SecretKind.None)
                    {
                        return found;
                    }
                }

                return default;

            default:
                return default;
        }
    }

    /// <summary>Charges raw JSON string content to the budget, unescapes it when needed, scans it and optionally classifies it as a name.</summary>
    private SecretKind ScanText(ReadOnlySpan<byte> raw, SecretName name, bool classify, out SecretName classified)
    {
        classified = SecretName.None;
        _budget -= raw.Length;
        if (_budget < 0)
        {
            return SecretKind.TooLarge;
        }

        if (raw.IndexOf((byte)'\\') < 0)
        {
            classified = classify ? CredentialAssignment.Classify(raw) : SecretName.None;
            return SecretScanner.Scan(raw, _settings, name);
        }

        byte[]? rented = null;
        var buffer = raw.Length <= StackBufferLength ? stackalloc byte[StackBufferLength] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var text = buffer[..JsonStringText.Unescape(raw, buffer)];
            classified = classify ? CredentialAssignment.Classify(text) : SecretName.None;
            return SecretScanner.Scan(text, _settings, name);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private SecretKind ScanArgumentName(string name, out SecretName classified)
    {
        classified = SecretName.None;
        var length = Encoding.UTF8.GetByteCount(name);
        _budget -= length;
        if (_budget < 0)
        {
            return SecretKind.TooLarge;
        }

        byte[]? rented = null;
        var buffer = length <= StackBufferLength ? stackalloc byte[StackBufferLength] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var text = buffer[..Encoding.UTF8.GetBytes(name, buffer)];
            classified = CredentialAssignment.Classify(text);
            return SecretScanner.Scan(text, _settings, SecretName.None);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when an applicable exemption names exactly the first <paramref name="depth"/> segments of the current path.</summary>
    private readonly bool IsExempt(int depth)
    {
        if (!_anyExemption)
        {
            return false;
        }

        var exemptions = _settings.Exemptions;
        for (var k = 0; k < exemptions.Length; k++)
        {
            var segments = exemptions[k].Argument.Segments;
            if (!_applicable[k] || segments.Length != depth)
            {
                continue;
            }

            var matches = true;
            for (var i = 0; i < depth && matches; i++)
            {
                matches = _path[i].Matches(segments[i]);
            }

            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}
