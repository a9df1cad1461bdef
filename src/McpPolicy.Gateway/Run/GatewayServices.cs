using McpPolicy.Schemas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// Builds the gateway's services: the policy file with the full pipeline (schema validation, argument constraints, flow rules, result
/// inspection), the catalog lock when a lock file is given, the audit trail when an audit file is given, and the gateway's approval handler.
/// </summary>
internal static class GatewayServices
{
    /// <summary>Registers everything and resolves the policy once, so an invalid policy, lock or audit setting fails before the child starts.</summary>
    /// <exception cref="UsageException">The policy file, lock file or audit settings are invalid; the message says what to fix.</exception>
    public static ServiceProvider Build(GatewaySettings settings, StandardErrorLoggerProvider logs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(settings.PolicyPath))
        {
            throw new UsageException($"the policy file '{settings.PolicyPath}' does not exist; pass an existing JSON policy with --policy FILE.");
        }

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        var policy = services.AddMcpPolicy().AddPolicyFile(Path.GetFullPath(settings.PolicyPath), reloadOnChange: true);
        policy.AddSchemaValidation();
        policy.AddArgumentConstraints();
        policy.AddFlowRules();
        policy.AddResultInspection();
        if (settings.LockPath is not null)
        {
            var lockPath = Path.GetFullPath(settings.LockPath);
            policy.AddCatalogLock(o =>
            {
                o.LockFilePath = lockPath;
                o.SaveOnApprove = false;
            });
        }

        if (settings.AuditPath is not null)
        {
            if (settings.AuditKeyFile is null)
            {
                throw new UsageException("--audit needs --audit-key-file FILE: the audit trail is chained with an HMAC key (base64, at least 32 bytes).");
            }

            var auditPath = Path.GetFullPath(settings.AuditPath);
            var keyFile = Path.GetFullPath(settings.AuditKeyFile);
            policy.AddAudit(o =>
            {
                o.Path = auditPath;
                o.KeyFile = keyFile;
                o.LogRecords = false;
            });
        }

        policy.UseApprovalHandler(sp => new GatewayApprovalHandler(settings.ApprovalCommand, sp.GetRequiredService<ILogger<GatewayApprovalHandler>>()));

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        try
        {
            _ = provider.GetRequiredService<IPolicyEvaluator>();
            _ = provider.GetRequiredService<ToolInvocationPipeline>();
            if (settings.LockPath is not null)
            {
                _ = provider.GetRequiredService<CatalogGuard>();
            }

            if (settings.AuditPath is not null)
            {
                _ = provider.GetRequiredService<IOptions<AuditOptions>>().Value;
            }
        }
        catch (Exception ex) when (ex is PolicyValidationException or OptionsValidationException or CatalogLockException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            provider.Dispose();
            throw new UsageException(ex.Message, ex);
        }

        return provider;
    }

    private static McpPolicyBuilder UseApprovalHandler(this McpPolicyBuilder builder, Func<IServiceProvider, IApprovalHandler> factory)
    {
        builder.Services.RemoveAll<IApprovalHandler>();
        builder.Services.AddSingleton(factory);
        return builder;
    }
}
