using System.Buffers;
using System.Globalization;
using System.Text;
using McpPolicy.Schemas.Secrets;
using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas;

/// <summary>
/// Raises calls whose arguments look like they carry a secret: private keys, cloud and API tokens, JSON Web Tokens, values given
/// to secret names, passwords in URLs and random-looking strings (see <see cref="SecretDetectors"/>). Every property name and string
/// value is scanned, at any depth; the reason names the detector and the argument's JSON Pointer, never the secret.
/// Arguments too large or too deep to scan get the same risk, so a secret cannot hide behind bulk.
/// </summary>
/// <remarks>
/// <para>
/// The rule is deterministic and pure, runs in time linear in the arguments (hand-written scanners, no regular expressions) and
/// allocates nothing per string on calls without secrets. Add it with
/// <see cref="SecretDetectionMcpPolicyBuilderExtensions.AddSecretDetection"/>.
/// </para>
/// <para>
/// It catches secrets pasted or leaked as they are, not secrets someone took pains to hide: a key that is base64-wrapped,
/// percent-encoded, reversed or split across arguments passes, as does a short random password with no secret name beside it.
/// </para>
/// </remarks>
public sealed class SecretArgumentsRule : IPolicyRule
{
    /// <summary>The rule's id in decisions and audit records.</summary>
    public const string RuleId = "secrets";

    private const int MaxSegmentLength = 40;
    private const int MaxPointerLength = 200;

    private readonly SecretScanSettings _settings;

    /// <summary>Creates the rule from a snapshot of <paramref name="options"/>; later changes to the options object have no effect.</summary>
    /// <param name="options">What to detect and what risk to ask for.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SecretArgumentsRule(IOptions<SecretDetectionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        var errors = value.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid secret detection options: " + string.Join(" ", errors), nameof(options));
        }

        _settings = SecretScanSettings.From(value);
    }

    /// <inheritdoc />
    public string Id => RuleId;

    /// <inheritdoc />
    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = _settings;
        if (settings.Detectors == SecretDetectors.None)
        {
            return RuleVerdict.NoOpinion;
        }

        var exemptions = settings.Exemptions;
        Span<bool> applicable = exemptions.Length <= 64 ? stackalloc bool[exemptions.Length] : new bool[exemptions.Length];
        for (var k = 0; k < exemptions.Length; k++)
        {
            applicable[k] = exemptions[k].Tool.Matches(context.ServerId, context.ToolName);
        }

        var path = ArrayPool<PathSegment>.Shared.Rent(settings.MaxDepth);
        try
        {
            var finding = new ArgumentScan(settings, path, applicable).Run(context.Arguments);
            return finding.Kind == SecretKind.None ? RuleVerdict.NoOpinion : RuleVerdict.Raise(settings.Risk, Reason(finding, path, settings));
        }
        finally
        {
            ArrayPool<PathSegment>.Shared.Return(path, clearArray: true);
        }
    }

    private static string Reason(SecretFinding finding, PathSegment[] path, SecretScanSettings settings)
    {
        var what = SecretKinds.Describe(finding.Kind);
        return finding switch
        {
            { Kind: SecretKind.TooLarge } => string.Create(CultureInfo.InvariantCulture, $"the arguments hold more than {settings.MaxScannedBytes} bytes of text, too much to scan for secrets"),
            { Kind: SecretKind.TooDeep } => string.Create(CultureInfo.InvariantCulture, $"the arguments are nested more than {settings.MaxDepth} levels deep, too deep to scan for secrets"),
            { InName: true, Depth: 1 } => $"an argument name looks like {what}",
            { InName: true } => $"a property name in argument {Pointer(path, finding.Depth - 1)} looks like {what}",
            _ => $"argument {Pointer(path, finding.Depth)} looks like {what}",
        };
    }

    /// <summary>
    /// The JSON Pointer of the first <paramref name="count"/> path segments, made safe to show: control and format characters become
    /// '?', long segments and long pointers are cut short.
    /// </summary>
    private static string Pointer(PathSegment[] path, int count)
    {
        var pointer = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            pointer.Append('/');
            var segment = path[i].Text;
            var shown = Math.Min(segment.Length, MaxSegmentLength);
            for (var k = 0; k < shown; k++)
            {
                var c = segment[k];
                _ = c switch
                {
                    '~' => pointer.Append("~0"),
                    '/' => pointer.Append("~1"),
                    _ when char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => pointer.Append('?'),
                    _ => pointer.Append(c),
                };
            }

            if (segment.Length > MaxSegmentLength)
            {
                pointer.Append('…');
            }

            if (pointer.Length > MaxPointerLength && i < count - 1)
            {
                pointer.Append("/…");
                break;
            }
        }

        return pointer.ToString();
    }
}
