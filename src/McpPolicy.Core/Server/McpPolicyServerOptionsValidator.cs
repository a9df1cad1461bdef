using Microsoft.Extensions.Options;

namespace McpPolicy.Server;

/// <summary>Validates <see cref="McpPolicyServerOptions"/> when the MCP server is built.</summary>
internal sealed class McpPolicyServerOptionsValidator : IValidateOptions<McpPolicyServerOptions>
{
    public ValidateOptionsResult Validate(string? name, McpPolicyServerOptions options)
    {
        List<string>? errors = null;
        if (string.IsNullOrEmpty(options.ServerId))
        {
            (errors ??= []).Add("McpPolicyServerOptions.ServerId must not be empty.");
        }
        else if (options.ServerId.Contains('/', StringComparison.Ordinal))
        {
            (errors ??= []).Add($"McpPolicyServerOptions.ServerId '{options.ServerId}' must not contain '/'.");
        }

        if (options.ConversationIdResolver is null)
        {
            (errors ??= []).Add("McpPolicyServerOptions.ConversationIdResolver must not be null.");
        }

        return errors is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
