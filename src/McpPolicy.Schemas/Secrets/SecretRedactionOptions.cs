using System.Globalization;

namespace McpPolicy.Schemas;

/// <summary>What <c>AddSecretRedaction()</c> looks for in tool results before it replaces it with <c>[redacted:kind]</c>.</summary>
public sealed class SecretRedactionOptions
{
    /// <summary>
    /// The detectors that run. Default: every detector except <see cref="SecretDetectors.HighEntropyStrings"/>, because results are
    /// full of random-looking identifiers (record ids, cursors, object keys) that an agent needs to read back unchanged.
    /// </summary>
    public SecretDetectors Detectors { get; set; } = SecretDetectors.All & ~SecretDetectors.HighEntropyStrings;

    /// <summary>The entropy threshold for <see cref="SecretDetectors.HighEntropyStrings"/>, as in <see cref="SecretDetectionOptions.EntropyThreshold"/>. Default 4.2.</summary>
    public double EntropyThreshold { get; set; } = 4.2;

    /// <summary>Lists what is wrong with the options; empty when they are valid.</summary>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        if ((Detectors & ~SecretDetectors.All) != 0)
        {
            errors.Add($"{nameof(Detectors)} contains unknown flags ({(int)Detectors}).");
        }

        if (!(EntropyThreshold >= SecretDetectionOptions.MinEntropyThreshold && EntropyThreshold <= SecretDetectionOptions.MaxEntropyThreshold))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(EntropyThreshold)} must be between {SecretDetectionOptions.MinEntropyThreshold} and {SecretDetectionOptions.MaxEntropyThreshold} bits per character, but is {EntropyThreshold}."));
        }

        return errors;
    }
}
