using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>The audit filters in a real pipeline built by DI: one record per decision, durable records for HIGH calls, fail-closed writes.</summary>
public sealed class AuditPipelineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mcppolicy-audit-pipeline-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string AuditPath => Path.Combine(_folder.FullName, "audit.jsonl");

    private sealed class Approver : IApprovalHandler
    {
        public ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult(ApprovalResponse.Approve("alice"));
    }

    /// <summary>A sink that fails, for every record or only for the kind given.</summary>
    private sealed class FailingSink(AuditRecordType? only = null) : IAuditSink
    {
        public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken)
            => only is null || record.Type == only ? throw new IOException("disk full") : ValueTask.CompletedTask;

        public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ListSink : IAuditSink
    {
        public ConcurrentQueue<AuditRecord> Records { get; } = new();

        public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken)
        {
            Records.Enqueue(record);
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private ServiceProvider Build(Action<AuditOptions>? configure = null, IAuditSink? sink = null)
    {
        var builder = new ServiceCollection()
            .AddLogging()
            .AddMcpPolicy(o =>
            {
                o.Tools.Add(new ToolPolicy("bank/*", RiskLevel.Low));
                o.Tools.Add(new ToolPolicy("bank/send_money", RiskLevel.High));
                o.Tools.Add(new ToolPolicy("bank/delete", RiskLevel.Block) { Reason = "no deleting" });
            })
            .UseApprovalHandler(new Approver())
            .AddAudit(o =>
            {
                o.Path = AuditPath;
                o.Key = AuditFiles.KeyBase64;
                o.Fsync = AuditFsyncPolicy.None;
                configure?.Invoke(o);
            });
        if (sink is not null)
        {
            builder.AddAuditSink(sink);
        }

        return builder.Services.BuildServiceProvider();
    }

    private static ToolInvocationContext Call(string tool, string arguments = "{}", string? requestId = null, Action? onInvoke = null)
    {
        var context = new ToolInvocationContext("bank", tool, ToolArguments.Parse(arguments), new ToolDescriptor(tool) { Hints = TestSupport.Calls.Quiet })
        {
            RequestId = requestId,
            ConversationId = "conv-1",
            Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "user-7"), new Claim("client_id", "agent-app")], "test")),
        };
        context.Invoker = (_, _) =>
        {
            onInvoke?.Invoke();
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "done: " + tool }] });
        };
        return context;
    }

    private IReadOnlyList<string> Files => AuditFileSink.ChainFiles(AuditPath);

    [Fact]
    public async Task N_threads_times_M_calls_give_exactly_N_times_M_records_in_a_valid_chain()
    {
        const int threads = 8;
        const int calls = 250;
        await using (var services = Build(o => o.CheckpointEvery = 100))
        {
            var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < calls; i++)
                {
                    var result = await pipeline.InvokeAsync(Call("get_balance", $$"""{"n":{{i}}}""", $"{t}-{i}"));
                    Assert.NotEqual(true, result.IsError);
                }
            })).ToArray();
            await Task.WhenAll(workers);
        }

        var result = AuditVerifier.Verify(Files, AuditFiles.Key);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(threads * calls, result.Records);
        var ids = AuditFiles.ReadLines(Files).Where(l => l.GetProperty("type").GetString() == "decision").Select(l => l.GetProperty("requestId").GetString()).ToHashSet();
        Assert.Equal(threads * calls, ids.Count);
    }

    [Fact]
    public async Task A_decision_record_holds_every_field_of_the_call()
    {
        const string arguments = """{"to":"bob","amount":50,"auth":{"password":"hunter2"}}""";
        await using (var services = Build(o => o.Arguments = AuditArgumentsMode.Redacted))
        {
            var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
            var result = await pipeline.InvokeAsync(Call("send_money", arguments, "42"));
            Assert.NotEqual(true, result.IsError);
            await pipeline.InvokeAsync(Call("delete", "{}", "43"));
        }

        var lines = AuditFiles.ReadLines(Files);
        Assert.Equal("open,intent,decision,decision,seal", string.Join(",", lines.Select(l => l.GetProperty("type").GetString())));
        var decision = lines[2];
        Assert.Equal("42", decision.GetProperty("requestId").GetString());
        Assert.Equal("conv-1", decision.GetProperty("conversationId").GetString());
        Assert.Equal("user-7", decision.GetProperty("principal").GetProperty("subject").GetString());
        Assert.Equal("agent-app", decision.GetProperty("principal").GetProperty("client").GetString());
        Assert.Equal("bank", decision.GetProperty("serverId").GetString());
        Assert.Equal("send_money", decision.GetProperty("tool").GetString());
        Assert.Equal(new ToolDescriptor("send_money") { Hints = TestSupport.Calls.Quiet }.DefinitionHash, decision.GetProperty("toolDefinitionHash").GetString());
        using (var args = JsonDocument.Parse(arguments))
        {
            Assert.Equal(CanonicalJson.Sha256(args.RootElement), decision.GetProperty("argumentsDigest").GetString());
        }

        Assert.Equal("[redacted]", decision.GetProperty("arguments").GetProperty("auth").GetProperty("password").GetString());
        Assert.Equal("bob", decision.GetProperty("arguments").GetProperty("to").GetString());
        Assert.DoesNotContain("hunter2", File.ReadAllText(Files[0]), StringComparison.Ordinal);
        Assert.Equal(64, decision.GetProperty("policyVersion").GetString()!.Length);
        Assert.Equal("High", decision.GetProperty("risk").GetString());
        Assert.Equal("Approved", decision.GetProperty("outcome").GetString());
        Assert.Contains(decision.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("risk").GetString() == "High");
        Assert.Equal("alice", decision.GetProperty("approval").GetProperty("approver").GetString());
        Assert.Equal(64, decision.GetProperty("approval").GetProperty("digest").GetString()!.Length);
        Assert.True(decision.GetProperty("approval").GetProperty("approved").GetBoolean());
        Assert.True(decision.GetProperty("durationUs").GetInt64() >= 0);
        Assert.False(decision.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Equal(Encoding.UTF8.GetByteCount("done: send_money"), decision.GetProperty("result").GetProperty("size").GetInt64());
        Assert.True(decision.GetProperty("toolInvoked").GetBoolean());
        Assert.Equal(lines[1].GetProperty("mac").GetString(), decision.GetProperty("prev").GetString());

        var blocked = lines[3];
        Assert.Equal("Denied", blocked.GetProperty("outcome").GetString());
        Assert.Equal("Block", blocked.GetProperty("risk").GetString());
        Assert.True(blocked.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.False(blocked.GetProperty("toolInvoked").GetBoolean());
        Assert.False(blocked.TryGetProperty("arguments", out _) && blocked.GetProperty("arguments").ValueKind == JsonValueKind.Null);
        Assert.True(AuditVerifier.Verify(Files, AuditFiles.Key).IsValid);
    }

    [Fact]
    public async Task Without_argument_recording_only_the_digest_is_kept()
    {
        await using (var services = Build())
        {
            await services.GetRequiredService<ToolInvocationPipeline>().InvokeAsync(Call("get_balance", """{"account":"secret-account-no"}"""));
        }

        var text = File.ReadAllText(Files[0]);
        Assert.DoesNotContain("secret-account-no", text, StringComparison.Ordinal);
        Assert.Contains("argumentsDigest", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_HIGH_call_whose_record_cannot_be_written_is_denied_and_never_reaches_the_tool()
    {
        var invoked = 0;
        await using var services = Build(sink: new FailingSink());
        var pipeline = services.GetRequiredService<ToolInvocationPipeline>();

        var high = await pipeline.InvokeAsync(Call("send_money", """{"to":"bob"}""", onInvoke: () => Interlocked.Increment(ref invoked)));
        var low = await pipeline.InvokeAsync(Call("get_balance", onInvoke: () => Interlocked.Increment(ref invoked)));

        Assert.True(Denials.IsDenial(high));
        Assert.Equal("audit", high.Meta![McpPolicyMetaKeys.RuleId]!.GetValue<string>());
        Assert.NotEqual(true, low.IsError);
        Assert.Equal(1, invoked);
    }

    [Fact]
    public async Task A_HIGH_result_whose_decision_record_cannot_be_written_is_withheld()
    {
        var invoked = 0;
        await using var services = Build(sink: new FailingSink(AuditRecordType.Decision));
        var pipeline = services.GetRequiredService<ToolInvocationPipeline>();

        var high = await pipeline.InvokeAsync(Call("send_money", """{"to":"bob"}""", onInvoke: () => Interlocked.Increment(ref invoked)));

        Assert.Equal(1, invoked);
        Assert.True(Denials.IsDenial(high));
        Assert.Contains("withheld", ((TextContentBlock)high.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_deny_on_write_failure_off_a_HIGH_call_runs_although_its_record_fails()
    {
        var invoked = 0;
        await using var services = Build(o => o.DenyOnWriteFailure = false, new FailingSink());
        var pipeline = services.GetRequiredService<ToolInvocationPipeline>();

        var high = await pipeline.InvokeAsync(Call("send_money", """{"to":"bob"}""", onInvoke: () => Interlocked.Increment(ref invoked)));
        await services.GetRequiredService<AuditWriter>().DrainAsync();

        Assert.NotEqual(true, high.IsError);
        Assert.Equal(1, invoked);
        Assert.True(services.GetRequiredService<AuditWriter>().Failures >= 1);
    }

    [Fact]
    public async Task An_intent_is_on_disk_before_the_HIGH_tool_runs()
    {
        string[]? seenByTool = null;
        await using (var services = Build())
        {
            var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
            var call = Call("send_money", """{"to":"bob"}""", onInvoke: () =>
            {
                using var stream = new FileStream(Files[0], FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                seenByTool = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            });
            await pipeline.InvokeAsync(call);
        }

        Assert.NotNull(seenByTool);
        Assert.Contains("\"type\":\"intent\"", seenByTool![^1], StringComparison.Ordinal);
        Assert.Contains("\"approver\":\"alice\"", seenByTool[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_reach_added_sinks_in_order_and_a_failing_filter_is_recorded_as_denied()
    {
        var sink = new ListSink();
        await using (var services = Build(sink: sink))
        {
            var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
            await pipeline.InvokeAsync(Call("get_balance", requestId: "1"));
            var broken = Call("get_balance", requestId: "2");
            broken.Invoker = (_, _) => throw new InvalidOperationException("tool crashed");
            var result = await pipeline.InvokeAsync(broken);
            Assert.True(result.IsError);
        }

        var records = sink.Records.ToArray();
        Assert.Equal("1,2", string.Join(",", records.Select(r => r.RequestId)));
        Assert.Equal(AuditOutcome.Allowed, records[0].Outcome);
        Assert.Equal(AuditOutcome.Withheld, records[1].Outcome);
        Assert.True(records[1].ToolInvoked);
    }

    [Fact]
    public async Task Spans_and_metrics_follow_the_GenAI_tool_names()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == McpPolicyTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var measurements = new ConcurrentQueue<(string Name, object? Outcome, object? Rule)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == McpPolicyTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Tag(tags, "mcp_policy.outcome"), Tag(tags, "mcp_policy.rule_id"))));
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Tag(tags, "gen_ai.tool.name"), null)));
        meters.Start();

        await using (var services = Build())
        {
            var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
            await pipeline.InvokeAsync(Call("get_balance", requestId: "7"));
            await pipeline.InvokeAsync(Call("delete", requestId: "8"));
        }

        var span = Assert.Single(spans, s => (string?)s.GetTagItem("gen_ai.tool.call.id") == "7");
        Assert.Equal("execute_tool get_balance", span.DisplayName);
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("get_balance", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("conv-1", span.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("allowed", span.GetTagItem("mcp_policy.outcome"));
        var denied = Assert.Single(spans, s => (string?)s.GetTagItem("gen_ai.tool.call.id") == "8");
        Assert.Equal(ActivityStatusCode.Error, denied.Status);
        Assert.Equal("mcp_policy.denied", denied.GetTagItem("error.type"));

        Assert.Contains(measurements, m => m.Name == McpPolicyTelemetry.DecisionsCounter && (string?)m.Outcome == "allowed");
        Assert.Contains(measurements, m => m.Name == McpPolicyTelemetry.BlockedCounter && (string?)m.Rule == "tools[2]");
        Assert.Contains(measurements, m => m.Name == McpPolicyTelemetry.DurationHistogram && (string?)m.Outcome == "get_balance");
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }

    [Fact]
    public void Invalid_options_stop_with_messages_naming_the_setting()
    {
        using var services = new ServiceCollection().AddMcpPolicy().AddAudit(o =>
        {
            o.Path = AuditPath;
            o.MaxFileBytes = 10;
            o.CheckpointEvery = 0;
        }).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuditOptions>>().Value);
        Assert.Contains("Audit:Key or Audit:KeyFile is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audit:MaxFileBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audit:CheckpointEvery", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c2hvcnQ=", "is 5 bytes")]
    [InlineData("not base64!", "is not base64")]
    public void A_bad_key_is_refused(string key, string expected)
    {
        var errors = new AuditOptions { Path = AuditPath, Key = key }.Validate();
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_bind_from_configuration_and_unknown_keys_are_errors()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:path"] = AuditPath,
            ["Audit:Key"] = AuditFiles.KeyBase64,
            ["Audit:Fsync"] = "PerRecord",
            ["Audit:FsyncInterval"] = "00:00:02",
            ["Audit:Arguments"] = "redacted",
            ["Audit:RedactedArgumentNames:0"] = "pin",
            ["Audit:CheckpointEvery"] = "50",
            ["Audit:DenyOnWriteFailure"] = "false",
        }).Build();
        await using (var services = new ServiceCollection().AddMcpPolicy().AddAudit(configuration.GetSection("Audit")).Services.BuildServiceProvider())
        {
            var options = services.GetRequiredService<IOptions<AuditOptions>>().Value;
            Assert.Equal(AuditPath, options.Path);
            Assert.Equal(AuditFsyncPolicy.PerRecord, options.Fsync);
            Assert.Equal(TimeSpan.FromSeconds(2), options.FsyncInterval);
            Assert.Equal(AuditArgumentsMode.Redacted, options.Arguments);
            Assert.Equal(["pin"], options.RedactedArgumentNames);
            Assert.Equal(50, options.CheckpointEvery);
            Assert.False(options.DenyOnWriteFailure);
        }

        var wrong = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:Pth"] = "x",
            ["Audit:Fsync"] = "Always",
        }).Build();
        await using var bad = new ServiceCollection().AddMcpPolicy().AddAudit(wrong.GetSection("Audit")).Services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<AuditOptions>>().Value);
        Assert.Contains("Audit:Pth is not an audit setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audit:Fsync 'Always' is not one of None, PerRecord, Interval", error.Message, StringComparison.Ordinal);
    }
}
