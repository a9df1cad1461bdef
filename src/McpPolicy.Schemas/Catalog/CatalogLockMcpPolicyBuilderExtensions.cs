using McpPolicy.Schemas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds tool-catalog pinning (the lock file <c>mcp-policy.lock.json</c>) to McpPolicy.</summary>
public static class CatalogLockMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Pins every server's tools to a catalog lock: a listed tool the lock does not approve gets <c>defaults.unknownTool</c>, a tool whose
    /// definition changed gets <c>defaults.changedTool</c>, until approved through the <see cref="CatalogGuard"/> (resolve it from the
    /// service provider). Changes are logged with a semantic diff and raised on <see cref="CatalogGuard.ChangeDetected"/>. Quarantined tools are
    /// hidden from the client's <c>tools/list</c> (registered as an <see cref="IToolListingFilter"/>; see
    /// <see cref="CatalogGuardOptions.HideQuarantinedTools"/>). See docs/catalog.md.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Sets the lock file, signing key and behaviour; the defaults (in-memory empty lock) apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddCatalogLock(this McpPolicyBuilder builder, Action<CatalogGuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<CatalogGuardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new CatalogGuard(
            sp.GetRequiredService<IOptions<CatalogGuardOptions>>().Value,
            sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value.Defaults,
            sp.GetService<ILogger<CatalogGuard>>(),
            sp.GetService<TimeProvider>()));

        // The host's catalog reports every complete listing to the guard from the moment it exists.
        services.Replace(ServiceDescriptor.Singleton(static sp =>
        {
            var catalog = new ToolCatalog();
            sp.GetRequiredService<CatalogGuard>().Attach(catalog);
            return catalog;
        }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyRule, CatalogNewToolRule>(static sp => new CatalogNewToolRule(sp.GetRequiredService<CatalogGuard>)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyRule, CatalogChangedToolRule>(static sp => new CatalogChangedToolRule(sp.GetRequiredService<CatalogGuard>)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyRule, CatalogInstructionsRule>(static sp => new CatalogInstructionsRule(sp.GetRequiredService<CatalogGuard>)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyRule, CatalogErrorRule>(static sp => new CatalogErrorRule(sp.GetRequiredService<CatalogGuard>)));

        // Quarantined tools are hidden from the client's listings (CatalogGuardOptions.HideQuarantinedTools).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolListingFilter, CatalogGuard>(static sp => sp.GetRequiredService<CatalogGuard>()));
        return builder;
    }
}
