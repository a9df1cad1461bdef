namespace McpPolicy.Configuration;

internal static class RiskLevelParser
{
    public static bool TryParse(string? text, out RiskLevel risk)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "LOW": risk = RiskLevel.Low; return true;
            case "MEDIUM": risk = RiskLevel.Medium; return true;
            case "HIGH": risk = RiskLevel.High; return true;
            case "BLOCK": risk = RiskLevel.Block; return true;
            default: risk = RiskLevel.Block; return false;
        }
    }
}
