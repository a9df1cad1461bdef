using System.Text.Json;
using McpPolicy.Schemas.Constraints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>The constraint attributes, enforced by the Validate filter in a real pipeline in front of the policy.</summary>
public sealed class ConstraintAttributeTests : IClassFixture<LinkTree>
{
    private static readonly ToolHints Quiet = new(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false);

    private readonly LinkTree _tree;

    public ConstraintAttributeTests(LinkTree tree)
    {
        _tree = tree;
    }

    private static async Task<CallToolResult> RunAsync(string arguments, params object[] metadata)
    {
        var pipeline = new ToolInvocationPipeline([new PolicyAssessmentFilter(new PolicyEvaluator(new McpPolicyOptions())), new ArgumentConstraintFilter()]);
        var descriptor = new ToolDescriptor("tool") { Hints = Quiet, Metadata = metadata };
        var context = new ToolInvocationContext("srv", "tool", ToolArguments.Parse(arguments), descriptor)
        {
            Invoker = (_, _) => ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "ran" }] }),
        };
        return await pipeline.InvokeAsync(context);
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Allowed_path_runs_the_tool()
    {
        var result = await RunAsync($$"""{ "path": {{JsonSerializer.Serialize(_tree.At("allowed/docs/readme.txt"))}} }""", new AllowedPathsAttribute("path", _tree.Allowed + "/**"));

        Assert.Equal("ran", Text(result));
    }

    [Fact]
    public async Task Call_outside_allowed_paths_is_blocked_even_through_a_symlink()
    {
        var result = await RunAsync($$"""{ "path": {{JsonSerializer.Serialize(_tree.At("allowed/escape/secret.txt"))}} }""", new AllowedPathsAttribute("path", _tree.Allowed + "/**"));

        Assert.True(Denials.IsDenial(result));
        Assert.Equal(
            $"Denied by policy (rule 'attribute:AllowedPaths'): argument 'path' is outside what [AllowedPaths] allows (must be a path matching {_tree.Allowed}/**, after resolving symbolic links).",
            Text(result));
    }

    [Fact]
    public async Task Url_attribute_denies_metadata_endpoint_in_any_spelling()
    {
        var attribute = new AllowedHostsAttribute("url");

        Assert.Equal("ran", Text(await RunAsync("""{ "url": "https://example.org/" }""", attribute)));
        var denied = await RunAsync("""{ "url": "https://0xa9fea9fe/latest/meta-data" }""", attribute);
        Assert.StartsWith("Denied by policy (rule 'attribute:AllowedHosts'): argument 'url'", Text(denied), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_attribute_denies_injection()
    {
        var attribute = new AllowedCommandsAttribute("command", "git") { DenyFlags = ["--upload-pack"] };

        Assert.Equal("ran", Text(await RunAsync("""{ "command": "git status" }""", attribute)));
        Assert.True(Denials.IsDenial(await RunAsync("""{ "command": "git status && id" }""", attribute)));
        Assert.True(Denials.IsDenial(await RunAsync("""{ "command": "git fetch --upload-pa=x" }""", attribute)));
    }

    [Fact]
    public async Task Method_attribute_replaces_the_class_attribute_for_the_same_argument()
    {
        object[] metadata = [new AllowedHostsAttribute("url", "class.example.com"), new AllowedHostsAttribute("url", "method.example.com")];

        Assert.Equal("ran", Text(await RunAsync("""{ "url": "https://method.example.com/" }""", metadata)));
        Assert.True(Denials.IsDenial(await RunAsync("""{ "url": "https://class.example.com/" }""", metadata)));
    }

    [Fact]
    public async Task Attributes_for_different_arguments_all_apply()
    {
        object[] metadata = [new AllowedHostsAttribute("source", "a.example.com"), new AllowedHostsAttribute("target", "b.example.com")];

        Assert.Equal("ran", Text(await RunAsync("""{ "source": "https://a.example.com/", "target": "https://b.example.com/" }""", metadata)));
        Assert.Contains("argument 'target'", Text(await RunAsync("""{ "source": "https://a.example.com/", "target": "https://a.example.com/" }""", metadata)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pointer_argument_and_arrays_are_checked_element_by_element()
    {
        var attribute = new AllowedHostsAttribute("/request/urls", "*.example.com");

        Assert.Equal("ran", Text(await RunAsync("""{ "request": { "urls": ["https://a.example.com/", "https://b.example.com/"] } }""", attribute)));
        Assert.True(Denials.IsDenial(await RunAsync("""{ "request": { "urls": ["https://a.example.com/", "http://[::1]/"] } }""", attribute)));
        Assert.Equal("ran", Text(await RunAsync("""{ "other": 1 }""", attribute)));
    }

    [Fact]
    public async Task Value_of_the_wrong_type_is_denied()
        => Assert.True(Denials.IsDenial(await RunAsync("""{ "url": 42 }""", new AllowedHostsAttribute("url"))));

    [Fact]
    public async Task Invalid_attribute_means_the_tool_never_runs()
    {
        var result = await RunAsync("""{ "path": "/srv/x" }""", new AllowedPathsAttribute("path", "relative/**"));

        Assert.True(Denials.IsDenial(result));
        Assert.Contains("rule 'attribute-error'", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_attribute_names_itself_and_the_problem()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ToolArgumentConstraints.Compile([new AllowedHostsAttribute("url", "*") { Ports = [0] }]));
        Assert.StartsWith("[AllowedHosts] on argument 'url' is invalid: allowHosts[0]: '*' is not a valid host", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ports[0]", ex.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => ToolArgumentConstraints.Compile([new AllowedPathsAttribute("path")]));
        Assert.Throws<InvalidOperationException>(() => ToolArgumentConstraints.Compile([new AllowedCommandsAttribute("/a~2b", "git")]));
    }

    [Fact]
    public async Task Tool_without_metadata_is_not_checked()
        => Assert.Equal("ran", Text(await RunAsync("""{ "url": "http://127.0.0.1/" }""")));

    [Fact]
    public void Constraints_are_compiled_once_per_descriptor()
    {
        var descriptor = new ToolDescriptor("tool") { Metadata = [new AllowedHostsAttribute("url")] };

        Assert.Same(ToolArgumentConstraints.For(descriptor), ToolArgumentConstraints.For(descriptor));
    }

    [Fact]
    public void Server_with_an_invalid_attribute_fails_to_start()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddArgumentConstraints();
        services.AddMcpServer().WithTools<BrokenTools>().WithPolicy();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<McpServerOptions>>().Value);
        Assert.Contains("[AllowedPaths] on argument 'path' is invalid", ex.Message, StringComparison.Ordinal);
    }

    [McpServerToolType]
    public sealed class BrokenTools
    {
        [McpServerTool(Name = "read"), AllowedPaths("path", "relative/**")]
        public static string Read(string path) => path;
    }
}
