using System.Reflection;

namespace McpPolicy.Gateway.Run;

/// <summary>The gateway's version, as the tool package carries it.</summary>
internal static class GatewayVersion
{
    /// <summary>The informational version without build metadata, or "0.0.0".</summary>
    public static string Value { get; } = Read();

    private static string Read()
    {
        var version = typeof(GatewayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? version[..plus] : version;
    }
}
