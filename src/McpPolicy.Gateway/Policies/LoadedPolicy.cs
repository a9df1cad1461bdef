using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpPolicy.Gateway.Policies;

/// <summary>
/// A policy file loaded, validated and compiled exactly as <c>mcp-policy run</c> would (with argument constraints, schema overlays and flow
/// rules registered), for <c>check</c> and <c>explain</c>.
/// </summary>
internal sealed class LoadedPolicy : IDisposable
{
    private readonly ServiceProvider _services;

    private LoadedPolicy(ServiceProvider services, McpPolicyOptions options, IPolicyEvaluator evaluator)
    {
        _services = services;
        Options = options;
        Evaluator = evaluator;
    }

    public McpPolicyOptions Options { get; }

    public IPolicyEvaluator Evaluator { get; }

    /// <summary>Loads the file.</summary>
    /// <exception cref="UsageException">The file does not exist.</exception>
    /// <exception cref="PolicyProblemsException">The policy is invalid; every problem is listed.</exception>
    public static LoadedPolicy Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"the policy file '{path}' does not exist.");
        }

        var services = new ServiceCollection();
        var policy = services.AddMcpPolicy().AddPolicyFile(Path.GetFullPath(path), reloadOnChange: false);
        policy.AddArgumentConstraints();
        policy.AddSchemaValidation();
        policy.AddFlowRules();
        var provider = services.BuildServiceProvider();
        try
        {
            var options = provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value;
            var evaluator = provider.GetRequiredService<IPolicyEvaluator>();
            return new LoadedPolicy(provider, options, evaluator);
        }
        catch (PolicyValidationException ex)
        {
            provider.Dispose();
            throw new PolicyProblemsException(ex.Errors.Count > 0 ? [.. ex.Errors.Select(e => e.ToString())] : [ex.Message]);
        }
        catch (OptionsValidationException ex)
        {
            provider.Dispose();
            throw new PolicyProblemsException([.. ex.Failures]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or System.Text.Json.JsonException or IOException)
        {
            provider.Dispose();
            throw new PolicyProblemsException([ex.Message]);
        }
    }

    public void Dispose() => _services.Dispose();
}

/// <summary>The policy file is invalid: <see cref="Problems"/> lists every problem found.</summary>
internal sealed class PolicyProblemsException : Exception
{
    public PolicyProblemsException(IReadOnlyList<string> problems)
        : base(string.Join("; ", problems))
    {
        Problems = problems;
    }

    public PolicyProblemsException()
    {
        Problems = [];
    }

    public PolicyProblemsException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public PolicyProblemsException(string message, Exception inner)
        : base(message, inner)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }
}
