namespace McpPolicy.Schemas.Secrets;

/// <summary>An immutable snapshot of <see cref="SecretDetectionOptions"/>, compiled for scanning.</summary>
internal sealed class SecretScanSettings
{
    private SecretScanSettings(SecretDetectionOptions options, Exemption[] exemptions)
    {
        Risk = options.Risk;
        Detectors = options.Detectors;
        MaxDepth = options.MaxDepth;
        MaxScannedBytes = options.MaxScannedBytes;
        EntropyThresholds = EntropyDetector.Thresholds(options.EntropyThreshold);
        Exemptions = exemptions;
    }

    public RiskLevel Risk { get; }

    public SecretDetectors Detectors { get; }

    public int MaxDepth { get; }

    public int MaxScannedBytes { get; }

    /// <summary>The entropy a window of each length (index) must reach; see <see cref="EntropyDetector.Thresholds"/>.</summary>
    public double[] EntropyThresholds { get; }

    public Exemption[] Exemptions { get; }

    /// <summary>Compiles valid options (call <see cref="SecretDetectionOptions.Validate"/> first).</summary>
    public static SecretScanSettings From(SecretDetectionOptions options)
    {
        var exemptions = new List<Exemption>();
        foreach (var (pattern, pointers) in options.AllowedArguments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ToolPattern.TryParse(pattern, ToolPatternOptions.RequireSingleSlash, out var tool, out var error))
            {
                throw new ArgumentException(error, nameof(options));
            }

            foreach (var pointer in pointers)
            {
                if (!ArgumentPattern.TryParse(pointer, out var argument, out error))
                {
                    throw new ArgumentException(error, nameof(options));
                }

                exemptions.Add(new Exemption(tool!, argument!));
            }
        }

        return new SecretScanSettings(options, exemptions.ToArray());
    }
}

/// <summary>An argument of matching tools that is not scanned.</summary>
internal sealed record Exemption(ToolPattern Tool, ArgumentPattern Argument);
