using McpPolicy.Control;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds rules, filters and policy sources to an McpPolicy registration.</summary>
public sealed class McpPolicyBuilder
{
    internal McpPolicyBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection McpPolicy is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a custom rule, created by DI as a singleton.</summary>
    /// <typeparam name="TRule">The rule type.</typeparam>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddRule<TRule>()
        where TRule : class, IPolicyRule
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyRule, TRule>());
        return this;
    }

    /// <summary>Adds a custom rule instance.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddRule(IPolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Services.AddSingleton(rule);
        return this;
    }

    /// <summary>Adds a pipeline filter, created by DI as a singleton; it runs at its <see cref="IToolInvocationFilter.Order"/>.</summary>
    /// <typeparam name="TFilter">The filter type.</typeparam>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddFilter<TFilter>()
        where TFilter : class, IToolInvocationFilter
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, TFilter>());
        return this;
    }

    /// <summary>Adds a pipeline filter instance.</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddFilter(IToolInvocationFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Services.AddSingleton(filter);
        return this;
    }

    /// <summary>
    /// Registers the options of an extension the way every built-in one does: <paramref name="configure"/> is applied when given (each
    /// call adds its change), <typeparamref name="TValidator"/> checks the result when the host starts (registered once, however often
    /// the extension is added), so a bad setting fails the start instead of the first call.
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <typeparam name="TValidator">Its validator, created by DI as a singleton.</typeparam>
    /// <param name="configure">A change to the options, or null for the defaults.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddValidatedOptions<TOptions, TValidator>(Action<TOptions>? configure = null)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        var options = Services.AddOptions<TOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return this;
    }

    /// <summary>Sets the handler that asks a human to approve HIGH calls (replacing any set before). Without one, HIGH calls are denied.</summary>
    /// <typeparam name="THandler">The handler type, created by DI as a singleton.</typeparam>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder UseApprovalHandler<THandler>()
        where THandler : class, IApprovalHandler
    {
        Services.RemoveAll<IApprovalHandler>();
        Services.AddSingleton<IApprovalHandler, THandler>();
        return this;
    }

    /// <summary>Sets the handler instance that asks a human to approve HIGH calls (replacing any set before).</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder UseApprovalHandler(IApprovalHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Services.RemoveAll<IApprovalHandler>();
        Services.AddSingleton(handler);
        return this;
    }

    /// <summary>Changes the policy from code (applied after the sources registered before it).</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder Configure(Action<McpPolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Adds the policy in a configuration section (such as <c>configuration.GetSection("McpPolicy")</c>). When the configuration
    /// reloads, the policy is rebuilt, checked and swapped in; an invalid change keeps the policy in force (see docs/control.md).
    /// </summary>
    /// <param name="section">The section.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Services.Configure<McpPolicyOptions>(o => PolicyLoader.ApplyConfiguration(o, section));
        Services.AddSingleton<IOptionsChangeTokenSource<McpPolicyOptions>>(new ConfigurationChangeTokenSource(section));
        return this;
    }

    /// <summary>Adds the policy in a JSON policy file, reloaded when the file changes (see <see cref="AddPolicyFile(string, bool)"/>).</summary>
    /// <param name="path">The file path.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddPolicyFile(string path) => AddPolicyFile(path, reloadOnChange: true);

    /// <summary>
    /// Adds the policy in a JSON policy file. With <paramref name="reloadOnChange"/>, a change to the file rebuilds, checks and swaps in
    /// the policy; an invalid file keeps the policy in force (see docs/control.md).
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="reloadOnChange">Whether to watch the file and reload the policy when it changes.</param>
    /// <returns>This builder.</returns>
    public McpPolicyBuilder AddPolicyFile(string path, bool reloadOnChange)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Services.Configure<McpPolicyOptions>(o => PolicyLoader.ApplyFile(o, path));
        if (reloadOnChange)
        {
            Services.AddSingleton<IOptionsChangeTokenSource<McpPolicyOptions>>(_ => new PolicyFileChangeTokenSource(path));
        }

        return this;
    }
}
