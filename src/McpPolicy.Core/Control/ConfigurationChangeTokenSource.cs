using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace McpPolicy.Control;

/// <summary>Tells the options system (and the policy reloader) when a configuration section holding policy reloads.</summary>
internal sealed class ConfigurationChangeTokenSource : IOptionsChangeTokenSource<McpPolicyOptions>
{
    private readonly IConfiguration _section;

    public ConfigurationChangeTokenSource(IConfiguration section)
    {
        _section = section;
    }

    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => _section.GetReloadToken();
}
