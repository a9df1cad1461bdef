using System.Collections.Concurrent;

namespace McpPolicy.Chains.Inspection;

/// <summary>The inspection settings that apply to one tool.</summary>
internal sealed record InspectionSettings(UnsafeTextHandling UnsafeText, UntrustedContentMarking Marking, char DatamarkCharacter, bool RedactSecrets);

/// <summary>Resolves <see cref="ResultInspectionOptions"/> per tool, once per name (memoised for a bounded number of names).</summary>
internal sealed class InspectionSettingsResolver
{
    private const int MaxCachedNames = 4096;

    private readonly InspectionSettings _defaults;
    private readonly (ToolPattern Pattern, ToolResultInspectionOptions Options)[] _overrides;
    private readonly ConcurrentDictionary<(string Server, string Tool), InspectionSettings> _cache = new();

    public InspectionSettingsResolver(ResultInspectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _defaults = new InspectionSettings(options.UnsafeText, options.Marking, options.DatamarkCharacter, options.RedactSecrets);
        var overrides = new List<(ToolPattern, ToolResultInspectionOptions)>();
        foreach (var (text, tool) in options.Tools.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ResultInspectionOptions.TryParsePattern(text, out var pattern, out var error))
            {
                throw new ArgumentException(error, nameof(options));
            }

            overrides.Add((pattern!, tool));
        }

        // Least specific first, so that a more specific pattern's settings overwrite a broader one's.
        _overrides = [.. overrides.OrderBy(o => o.Item1.IsExact).ThenBy(o => o.Item1.LiteralLength)];
    }

    public InspectionSettings For(string server, string tool)
    {
        if (_overrides.Length == 0)
        {
            return _defaults;
        }

        if (_cache.TryGetValue((server, tool), out var cached))
        {
            return cached;
        }

        var resolved = Resolve(server, tool);
        if (_cache.Count < MaxCachedNames)
        {
            _cache.TryAdd((server, tool), resolved);
        }

        return resolved;
    }

    private InspectionSettings Resolve(string server, string tool)
    {
        var handling = _defaults.UnsafeText;
        var marking = _defaults.Marking;
        var redact = _defaults.RedactSecrets;
        var matched = false;
        foreach (var (pattern, options) in _overrides)
        {
            if (!pattern.Matches(server, tool))
            {
                continue;
            }

            matched = true;
            handling = options.UnsafeText ?? handling;
            marking = options.Marking ?? marking;
            redact = options.RedactSecrets ?? redact;
        }

        return matched ? _defaults with { UnsafeText = handling, Marking = marking, RedactSecrets = redact } : _defaults;
    }
}
