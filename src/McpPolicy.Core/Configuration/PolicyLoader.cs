using McpPolicy.Configuration;
using Microsoft.Extensions.Configuration;

namespace McpPolicy;

/// <summary>Reads policy documents (JSON files and text, <c>IConfiguration</c> sections) into <see cref="McpPolicyOptions"/>. Invalid input throws <see cref="PolicyValidationException"/> and changes nothing.</summary>
public static class PolicyLoader
{
    /// <summary>Reads a policy from JSON text (comments and trailing commas allowed; keys in any casing).</summary>
    /// <param name="json">The document.</param>
    /// <param name="sourceName">A name for error messages, such as the file name.</param>
    /// <returns>The policy.</returns>
    public static McpPolicyOptions FromJson(string json, string sourceName = "policy")
    {
        var options = new McpPolicyOptions();
        ApplyJson(options, json, sourceName);
        return options;
    }

    /// <summary>Reads a policy file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The policy.</returns>
    public static McpPolicyOptions FromFile(string path)
    {
        var options = new McpPolicyOptions();
        ApplyFile(options, path);
        return options;
    }

    /// <summary>Reads a policy from a configuration section (such as <c>"McpPolicy"</c> in appsettings.json).</summary>
    /// <param name="section">The section.</param>
    /// <returns>The policy.</returns>
    public static McpPolicyOptions FromConfiguration(IConfiguration section)
    {
        var options = new McpPolicyOptions();
        ApplyConfiguration(options, section);
        return options;
    }

    /// <summary>Adds a JSON policy document to existing options: scalars it sets replace, entries it lists are appended.</summary>
    /// <param name="target">The options to extend.</param>
    /// <param name="json">The document.</param>
    /// <param name="sourceName">A name for error messages.</param>
    public static void ApplyJson(McpPolicyOptions target, string json, string sourceName = "policy")
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(json);
        PolicyReader.Apply(PolicyNode.FromJson(System.Text.Encoding.UTF8.GetBytes(json), sourceName), target);
    }

    /// <summary>Adds a policy file to existing options.</summary>
    /// <param name="target">The options to extend.</param>
    /// <param name="path">The file path.</param>
    public static void ApplyFile(McpPolicyOptions target, string path)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyValidationException([new PolicyError("$", path, "the policy file cannot be read: " + ex.Message)]);
        }

        PolicyReader.Apply(PolicyNode.FromJson(bytes, Path.GetFileName(path)), target);
    }

    /// <summary>Adds a configuration section to existing options.</summary>
    /// <param name="target">The options to extend.</param>
    /// <param name="section">The section.</param>
    public static void ApplyConfiguration(McpPolicyOptions target, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(section);
        PolicyReader.Apply(PolicyNode.FromSection(section), target);
    }
}
