using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace McpPolicy.Benchmarks.Report;

/// <summary>One target of the issues, what this run measured for it and whether it is met (<see langword="null"/>: not measured).</summary>
internal sealed record TargetResult(string Target, string Measured, bool? Met, string Cause);

/// <summary>Writes docs/performance.md from a <see cref="ReportData"/>: pure formatting, no measuring.</summary>
internal static class ReportWriter
{
    internal const string EndToEnd = "EndToEndBenchmarks";
    internal const string Flow = "FlowBenchmarks";
    internal const string Evaluator = "EvaluatorBenchmarks";
    internal const string Compile = "EvaluatorCompileBenchmarks";
    internal const string Pipeline = "PipelineBenchmarks";
    internal const string ScalingSchema = "ScalingSchemaBenchmarks";
    internal const string ScalingArray = "ScalingArrayBenchmarks";
    internal const string ScalingArgument = "ScalingArgumentBenchmarks";
    internal const string Startup = "StartupBenchmarks";
    internal const string AuditOverhead = "AuditOverheadBenchmarks";
    internal const string AuditAppend = "AuditAppendBenchmarks";
    internal const string DefaultProtocol = "2026-07-28";

    public static string Write(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var md = new StringBuilder();
        var m = data.Machine;
        md.AppendLine("# Performance");
        md.AppendLine();
        md.AppendLine("Written by `bash benchmarks/report.sh` (see [benchmarks/README.md](../benchmarks/README.md)); do not edit by hand, run the");
        md.AppendLine("command again. Every figure below comes from the one run described here; peers (Cedar, ajv, the direct stdio server) were");
        md.AppendLine("measured in the same run on the same machine, so compare within this document.");
        md.AppendLine();
        md.AppendLine("| Run | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Cells("Date", m.Date));
        md.AppendLine(Cells("CPU", $"{m.Cpu}, {m.LogicalCores} logical cores"));
        md.AppendLine(Cells("Memory", $"{m.MemoryGiB} GiB"));
        md.AppendLine(Cells("OS", m.Os));
        md.AppendLine(Cells(".NET", m.DotNet));
        md.AppendLine(Cells("Node", m.Node));
        md.AppendLine(Cells("Load average (1, 5, 15 min) at start / end", $"{m.LoadAtStart} / {m.LoadAtEnd}"));
        md.AppendLine(Cells("Mode", m.Mode));
        md.AppendLine();
        if (m.Mode != "full")
        {
            md.AppendLine("**This is a quick run** (BenchmarkDotNet's dry job and few repetitions): it checks that every step works; its numbers are not measurements.");
            md.AppendLine();
        }

        var targets = Targets(data);
        WriteTargets(md, targets);
        WriteDecisions(md, data);
        WriteSchemas(md, data);
        WriteStartup(md, data);
        WriteFlow(md, data);
        WritePipeline(md, data);
        WriteInProcess(md, data);
        WriteGateway(md, data);
        WriteAudit(md, data);
        WriteMemory(md, data);
        WriteScaling(md, data);
        WriteMethod(md);
        if (data.Problems.Count > 0)
        {
            md.AppendLine("## Problems in this run");
            md.AppendLine();
            foreach (var p in data.Problems)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {p}");
            }

            md.AppendLine();
        }

        return md.ToString().TrimEnd() + "\n";
    }

    /// <summary>Evaluates every target named in the issues against this run.</summary>
    public static IReadOnlyList<TargetResult> Targets(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var list = new List<TargetResult>();
        var ours = Engine(data.Decisions, "mcppolicy");
        var cedar = Engine(data.Decisions, "cedar-wasm").Where(o => Num(o, "medianNs") is not null).ToList();

        var d10 = ours.FirstOrDefault(o => Num(o, "n") == 10);
        list.Add(d10 is null
            ? new("≤ 1 µs and 0 B per decision at 10 rules", "not measured", null, "")
            : new(
                "≤ 1 µs and 0 B per decision at 10 rules",
                $"{Ns(Num(d10, "medianNs"))}, {Bytes(Num(d10, "allocatedBytesPerCall"))}",
                Num(d10, "medianNs") <= 1000 && Num(d10, "allocatedBytesPerCall") == 0,
                "The scenario's matching rules are each checked against the arguments; see the decision section."));
        var d1000 = ours.FirstOrDefault(o => Num(o, "n") == 1000);
        list.Add(d1000 is null
            ? new("≤ 2 µs per decision at 1,000 rules", "not measured", null, "")
            : new(
                "≤ 2 µs per decision at 1,000 rules",
                $"{Ns(Num(d1000, "medianNs"))}, {Bytes(Num(d1000, "allocatedBytesPerCall"))}",
                Num(d1000, "medianNs") <= 2000,
                "125 of the 1,000 entries apply to the call and are each checked (about 11 ns each)."));

        var ratios = ours.Select(o => (o, c: cedar.FirstOrDefault(c => Num(c, "n") == Num(o, "n"))))
            .Where(p => p.c is not null && Num(p.o, "medianNs") > 0)
            .Select(p => Num(p.c!, "medianNs")!.Value / Num(p.o, "medianNs")!.Value)
            .ToList();
        list.Add(ratios.Count == 0
            ? new("≥ 100× faster than cedar-wasm", "not measured", null, "")
            : new("≥ 100× faster than cedar-wasm", $"{Ratio(ratios.Min())} – {Ratio(ratios.Max())} (10 / 100 / 1,000 rules)", ratios.Min() >= 100, "Cedar evaluates every policy per request, plus the JS/wasm boundary."));

        var schemaOurs = Engine(data.Schemas, "mcppolicy");
        var ajv = Engine(data.Schemas, "ajv");
        var readFile = schemaOurs.FirstOrDefault(o => Str(o, "schema") == "read_file" && Str(o, "instance") == "valid");
        list.Add(readFile is null
            ? new("Validation (a) `read_file` ≤ 100 ns", "not measured", null, "")
            : new("Validation (a) `read_file` ≤ 100 ns", $"{Ns(Num(readFile, "medianNs"))}, {Bytes(Num(readFile, "allocatedBytesPerCall"))}", Num(readFile, "medianNs") <= 100, ""));
        foreach (var (letter, schema) in new[] { ("b", "exec"), ("c", "create_issue") })
        {
            var parts = new List<string>();
            bool? met = null;
            foreach (var instance in new[] { "valid", "invalid" })
            {
                var o = schemaOurs.FirstOrDefault(x => Str(x, "schema") == schema && Str(x, "instance") == instance);
                var a = ajv.FirstOrDefault(x => Str(x, "schema") == schema && Str(x, "instance") == instance);
                if (o is null || a is null || !(Num(a, "medianNs") > 0))
                {
                    continue;
                }

                var r = Num(o, "medianNs")!.Value / Num(a, "medianNs")!.Value;
                parts.Add($"{instance} {Ns(Num(o, "medianNs"))} vs {Ns(Num(a, "medianNs"))} ({Ratio(r, 2)} of ajv's time)");
                met = (met ?? true) && r <= 1.0;
            }

            list.Add(new(
                $"Validation ({letter}) `{schema}` no slower than ajv",
                parts.Count == 0 ? "not measured" : string.Join("; ", parts),
                met,
                schema == "exec"
                    ? "Walking the JsonElement tree through the public System.Text.Json API costs about 90 ns for `exec`'s 16 values before any check; ajv reads plain JavaScript objects that V8 has inlined. Name lookups, step counting and per-node dispatch take about 100 ns more, the three pattern matches about 28 ns; measuring `read_file` first (dynamic PGO) adds about 5 %. Reading the raw UTF-8 text in one pass or with `Utf8JsonReader` instead was measured slower (benchmarks/README.md, \"Why `exec` (valid) still misses\"). Closing the rest needs per-schema generated code."
                    : "See the validation section."));
        }

        var compiles = schemaOurs.Where(o => Str(o, "instance") == "compile").ToList();
        list.Add(compiles.Count == 0
            ? new("Schema compile ≤ 1 ms per tool schema", "not measured", null, "")
            : new("Schema compile ≤ 1 ms per tool schema", $"{Ns(compiles.Min(o => Num(o, "medianNs")))} – {Ns(compiles.Max(o => Num(o, "medianNs")))}", compiles.All(o => Num(o, "medianNs") <= 1_000_000), ""));

        var flow = data.Bdn.Where(r => r.Class == Flow && r.Method is "CheckClean" or "CheckTainted" or "CheckTaintedNew").ToList();
        if (flow.Count == 0)
        {
            list.Add(new("Flow check ≤ 1 µs (1 KB of arguments), flat in history", "not measured", null, ""));
        }
        else
        {
            var clean = flow.Where(r => r.Method == "CheckClean").ToList();
            var tainted = flow.Where(r => r.Method == "CheckTainted").ToList();
            var taintedNew = flow.Where(r => r.Method == "CheckTaintedNew").ToList();
            string Range(List<BdnResult> rs) => rs.Count == 0 ? "-" : $"{Ns(rs.Min(r => r.MedianNs))} – {Ns(rs.Max(r => r.MedianNs))}";
            var flat = flow.GroupBy(r => r.Method).All(g => g.Max(r => r.MedianNs) <= 1.25 * g.Min(r => r.MedianNs));
            list.Add(new(
                "Flow check ≤ 1 µs (1 KB of arguments), flat in history",
                $"clean {Range(clean)}, tainted {Range(tainted)}, tainted by a new source {Range(taintedNew)} at history 10 / 1,000 / 10,000 ({(flat ? "flat" : "not flat")})",
                flow.All(r => r.MedianNs <= 1000) && flat,
                "Most of a flow check is the scan of the arguments (normalizing each text, looking its windows up in the taint index); a tainted call whose reason is not cached yet (a new source call or argument) also builds the reason and a raised decision (about 0.08 µs together), and switching between sources costs about 0.07 µs more (benchmarks/README.md, \"One-pass normalization and the probe loop\"). `PolicyReason` is a positional record in Core, so formatting its message lazily would change its contract."));
        }

        foreach (var protocol in new[] { DefaultProtocol, "2025-11-25" })
        {
            // The round trip and the server side's share come from the interleaved measurement when it ran (one process, so the
            // variants are not separated by process placement), else from BenchmarkDotNet's per-process medians.
            // Several processes may have measured it (report.sh runs three): the fastest round trip is the strictest denominator.
            var interleaved = data.EndToEnd.Where(o => Str(o, "protocol") == protocol && Num(o, "noneNs") is > 0).MinBy(o => Num(o, "noneNs"));
            var noneCase = data.Case(EndToEnd, "CallTool", ("ProtocolVersion", ProtocolParam(protocol)), ("Policy", "none"));
            var serverCase = data.Case(EndToEnd, "CallTool", ("ProtocolVersion", ProtocolParam(protocol)), ("Policy", "server"));
            double? noneNs = interleaved is not null ? Num(interleaved, "noneNs") : noneCase?.MedianNs;
            double? serverAdded = interleaved is not null ? Num(interleaved, "serverMinusNoneNs") : serverCase is null || noneCase is null ? null : serverCase.MedianNs - noneCase.MedianNs;
            // Each gate's CPU time may come from several processes (report.sh runs five): the median of their medians, with the range.
            var gate = GateFigure(data.HostGate, protocol, "hostMinusWrapperNs");
            var serverGate = GateFigure(data.ServerGate, protocol, "policyMinusNoneNs");
            var serverCpu = serverGate is not null;
            if (serverCpu)
            {
                // The CPU time of what WithPolicy adds is the server side's own cost; the wall-clock difference is only the fallback.
                serverAdded = serverGate!.Value.Median;
            }

            if (noneNs is not > 0)
            {
                list.Add(new($"Policy overhead ≤ 3 % of an in-process MCP call ({protocol})", "not measured", null, ""));
                continue;
            }

            var none = noneNs.Value;
            var parts = new List<string>();
            bool? met = null;
            double? hostAdded = null;
            if (serverAdded is { } sa)
            {
                var share = sa / none;
                parts.Add(serverCpu
                    ? $"server side {Percent(share)} ({Ns(sa)} CPU of {Ns(none)}{serverGate!.Value.Spread})"
                    : $"server side {Percent(share)} ({Ns(sa)} of {Ns(none)}, wall clock{(interleaved is null ? "" : ", interleaved")})");
                met = share <= 0.03;
            }

            if (gate is { } hostGate)
            {
                hostAdded = hostGate.Median;
                var share = hostAdded.Value / none;
                parts.Add($"host side {Percent(share)} ({Ns(hostAdded)} CPU of {Ns(none)}{hostGate.Spread})");
                met = (met ?? true) && share <= 0.03;
                if (serverAdded is { } both)
                {
                    // Judged per side (each side is deployed on its own); both sides on one call are shown as well.
                    parts.Add($"both sides on one call {Percent((both + hostAdded.Value) / none)} ({Ns(both + hostAdded.Value)})");
                }
            }

            var cause = $"The host gate holds an immutable copy of each request's params (the client's own parsed element when it is one, checked for repeated names; otherwise a strict parse; under 2026-07-28 a params object of its own around the client's new `_meta`, compared part by part with the last one) and its per-call bookkeeping (pending call, context, outgoing request; a lone call in progress is tracked in a slot of its own rather than a dictionary entry){AllocatedByGate(data, protocol)}; the rest is the policy evaluation itself (the scenario's `maxLength` and `pattern` checks) and the filter chain, a few tens of nanoseconds each (benchmarks/README.md, \"Host gate: the client's parsed params as the copy\").";
            if (serverCpu && serverAdded is { } sc && sc <= 0.03 * none)
            {
                cause = "The server side meets it (what `WithPolicy` adds, as CPU time). " + cause;
            }

            if (hostAdded is { } h && h <= 1_100 && h > 0.03 * none)
            {
                cause = $"The issue states the target as about 1 µs on the ~37 µs round trip measured when it was written; the in-process round trip measured here is {Ns(none)}, so 3 % of it is {Ns(0.03 * none)}. The host gate's {Ns(h)} is within the issue's \"about 1 µs\" but above 3 % of this faster round trip. " + cause;
            }

            if (!serverCpu && serverAdded is { } s2 && s2 > 0.03 * none)
            {
                cause += $" The server side's share is a wall-clock difference of two real round trips whose server and client run on different threads of 2 cores; it moves by microseconds between runs (see the interleaved table in the in-process section), so {Ns(s2)} is an upper bound of its own cost rather than a profile.";
            }

            list.Add(new(
                $"Policy overhead ≤ 3 % of an in-process MCP call ({protocol})",
                parts.Count == 0 ? "not measured" : string.Join("; ", parts),
                parts.Count == 0 ? null : met,
                cause));
        }

        var full = data.Gateway.Where(o => Str(o, "policy") == "full").Select(o => Num(o, "addedMedianMs")).OfType<double>().ToList();
        list.Add(full.Count == 0
            ? new("Gateway adds ≤ 0.2 ms at the median", "not measured", null, "")
            : new(
                "Gateway adds ≤ 0.2 ms at the median",
                $"{Median(full).ToString("0.000", CultureInfo.InvariantCulture)} ms (median of {full.Count} runs, full policy)",
                Median(full) <= 0.2,
                "A raw byte relay between the same client and child adds 0.00–0.11 ms on this machine. `tools/call` takes the gateway's forwarding path (no SDK dispatch hops, the result decoded and encoded once, by the policy gate); what remains is the policy itself, JSON decoding and encoding of each message on both sides, and two more pipe writes and reads (see benchmarks/README.md, \"Forwarding path\")."));
        return list;
    }

    private static void WriteTargets(StringBuilder md, IReadOnlyList<TargetResult> targets)
    {
        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| Target | Measured in this run | |");
        md.AppendLine("|---|---|---|");
        foreach (var t in targets)
        {
            md.AppendLine(Cells(t.Target, t.Measured, t.Met switch { true => "met", false => "**missed**", null => "not measured" }));
        }

        md.AppendLine();
        var missed = targets.Where(t => t.Met == false).ToList();
        if (missed.Count > 0)
        {
            md.AppendLine("Where a target is missed, the remaining gap and its cause:");
            md.AppendLine();
            foreach (var t in missed)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- **{t.Target}:** {t.Measured}. {t.Cause}");
            }

            md.AppendLine();
        }
    }

    private static void WriteDecisions(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Policy decisions vs Cedar");
        md.AppendLine();
        md.AppendLine("The scenario of benchmarks/README.md (\"The scenario\"): one `bank/send_money` call against policies of 10, 100 and 1,000");
        md.AppendLine("tools entries and rules, translated into equivalent Cedar policies; both engines must compute the same risk. McpPolicy:");
        md.AppendLine("`measure-decisions` (Stopwatch, median of 200 batches of 10,000 calls); Cedar: `cedar-bench.mjs` (`@cedar-policy/cedar-wasm`,");
        md.AppendLine("policy set parsed once, `statefulIsAuthorized` per call).");
        md.AppendLine();
        var ours = Engine(data.Decisions, "mcppolicy");
        var cedar = Engine(data.Decisions, "cedar-wasm").Where(o => Num(o, "medianNs") is not null).ToList();
        md.AppendLine("| Rules | McpPolicy | Allocated | cedar-wasm | Cedar policies | cedar / McpPolicy | Risk (ours / Cedar) |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---|");
        foreach (var o in ours)
        {
            var c = cedar.FirstOrDefault(x => Num(x, "n") == Num(o, "n"));
            md.AppendLine(Cells(
                Int(Num(o, "n")),
                Ns(Num(o, "medianNs")),
                Bytes(Num(o, "allocatedBytesPerCall")),
                c is null ? "-" : Ns(Num(c, "medianNs")),
                c is null ? "-" : Int(Num(c, "policies")),
                c is null || !(Num(o, "medianNs") > 0) ? "-" : Ratio(Num(c, "medianNs")!.Value / Num(o, "medianNs")!.Value),
                $"{Str(o, "risk")} / {(c is null ? "-" : Str(c, "risk"))}"));
        }

        md.AppendLine();
        if (cedar.FirstOrDefault() is { } c0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"cedar-wasm {Str(c0, "version")}.");
            md.AppendLine();
        }

        BdnTable(md, data, Evaluator, "BenchmarkDotNet, the same evaluator: `Evaluate` (nothing raises the risk) and `EvaluateRuleFires` (a rule raises it to High, so a decision is allocated):");
    }

    private static void WriteSchemas(StringBuilder md, ReportData data)
    {
        md.AppendLine("## JSON Schema validation vs ajv");
        md.AppendLine();
        md.AppendLine("The three reference tool schemas in `benchmarks/schemas` (`read_file`, `exec`, `create_issue`), the same bytes for both");
        md.AppendLine("engines, already-parsed instances. McpPolicy: `measure-schemas` (`IsValid`; `Validate` with every error for \"all errors\");");
        md.AppendLine("ajv: `ajv-bench.mjs` (Ajv2020, `allErrors` false, and true for \"all errors\"). Compile: a fresh registry (McpPolicy) or a");
        md.AppendLine("fresh schema object (ajv) per compile.");
        md.AppendLine();
        var ours = Engine(data.Schemas, "mcppolicy");
        var ajv = Engine(data.Schemas, "ajv");
        md.AppendLine("| Schema | Instance | McpPolicy | Allocated | ajv | McpPolicy / ajv | Verdict (ours / ajv) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var o in ours)
        {
            var a = ajv.FirstOrDefault(x => Str(x, "schema") == Str(o, "schema") && Str(x, "instance") == Str(o, "instance"));
            var instance = Str(o, "instance");
            md.AppendLine(Cells(
                $"`{Str(o, "schema")}`",
                instance switch { "invalid-errors" => "invalid, all errors", _ => instance ?? "-" },
                Ns(Num(o, "medianNs")),
                Bytes(Num(o, "allocatedBytesPerCall")),
                a is null ? "-" : Ns(Num(a, "medianNs")),
                a is null || !(Num(a, "medianNs") > 0) ? "-" : Ratio(Num(o, "medianNs")!.Value / Num(a, "medianNs")!.Value, 2),
                instance == "compile" ? "" : $"{Verdict(o)} / {(a is null ? "-" : Verdict(a))}"));
        }

        md.AppendLine();
        if (ajv.FirstOrDefault() is { } a0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"ajv {Str(a0, "version")}. A ratio below 1 means McpPolicy is faster.");
            md.AppendLine();
        }
    }

    private static void WriteStartup(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Startup: compiling a policy and a catalog");
        md.AppendLine();
        md.AppendLine("`EvaluatorCompileBenchmarks.ParseAndCompile1000`: load and compile the 1,000-entry policy (127 KB of JSON), the cost of a");
        md.AppendLine("start or a hot reload. `StartupBenchmarks`: compile the input schemas of a 100-tool catalog (distinct schemas, a fresh registry");
        md.AppendLine("per run, so the cache never answers).");
        md.AppendLine();
        var rows = data.Bdn.Where(r => r.Class is Compile or Startup).ToList();
        if (rows.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("| Benchmark | Median | Mean ± StdDev | Allocated |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(Cells($"`{r.Class}.{r.Method}`{ParamText(r)}", Ns(r.MedianNs), $"{Ns(r.MeanNs)} ± {Ns(r.StdDevNs)}", Bytes(r.AllocatedBytes)));
        }

        md.AppendLine();
    }

    private static void WriteFlow(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Flow check");
        md.AppendLine();
        md.AppendLine("`FlowBenchmarks`: what the flow filter does before a tool runs (labels, the untrusted → private → sink rule, two chains,");
        md.AppendLine("the taint scan of about 1 KB of arguments) in a conversation whose history of `History` calls went through the real pipeline.");
        md.AppendLine("`CheckClean`: nothing matches; `CheckTainted`: the body carries 40 characters of an earlier untrusted result (a `taint`");
        md.AppendLine("reason, High; the same source each time, so its reason is cached after the first call); `CheckTaintedNew`: five sources in");
        md.AppendLine("turn, so the reason is never cached; `CheckShortBody`: everything but the body's scan.");
        md.AppendLine();
        BdnTable(md, data, Flow, null);
    }

    private static void WritePipeline(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Full pipeline per call");
        md.AppendLine();
        md.AppendLine("`PipelineBenchmarks.FullPipeline`: one LOW call through the pipeline a host builds with `AddMcpPolicy` — argument schema validation, risk");
        md.AppendLine("assessment and decision, flow check, limits, audit enqueue (to a sink that discards) — with a ready result, no transport;");
        md.AppendLine("610 bytes of arguments, an 8-property schema, a conversation that already holds 10 calls. `Without` drops one stage");
        md.AppendLine("(`none`: the full pipeline), so each row's difference from `none` is that stage's share.");
        md.AppendLine();
        BdnTable(md, data, Pipeline, null);
    }

    private static void WriteInProcess(StringBuilder md, ReportData data)
    {
        md.AppendLine("## In-process MCP tool call with and without the policy");
        md.AppendLine();
        md.AppendLine("`EndToEndBenchmarks.CallTool`: a real MCP server and client over in-memory pipes, one `tools/call` round trip. `none`: no");
        md.AppendLine("McpPolicy; `wrapper`: a pass-through client transport (the floor of any host-side gate); `server`: `WithPolicy` on the server;");
        md.AppendLine("`host`: `PolicyClientTransport` on the client; `both`. Wall-clock times include thread hops between the two sides, so they");
        md.AppendLine("are noisy on 2 cores; the Allocated column is exact.");
        md.AppendLine();
        var rows = data.Bdn.Where(r => r.Class == EndToEnd).ToList();
        if (rows.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
        }
        else
        {
            md.AppendLine("| Protocol | Policy | Median | Mean ± StdDev | Allocated | vs `none` |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var r in rows)
            {
                var protocol = ProtocolName(r.Parameters.GetValueOrDefault("ProtocolVersion"));
                var none = rows.FirstOrDefault(x => x.Parameters.GetValueOrDefault("ProtocolVersion") == r.Parameters.GetValueOrDefault("ProtocolVersion") && x.Parameters.GetValueOrDefault("Policy") == "none");
                md.AppendLine(Cells(
                    protocol,
                    r.Parameters.GetValueOrDefault("Policy") ?? "-",
                    Ns(r.MedianNs),
                    $"{Ns(r.MeanNs)} ± {Ns(r.StdDevNs)}",
                    Bytes(r.AllocatedBytes),
                    none is null || none == r ? "" : Percent((r.MedianNs - none.MedianNs) / none.MedianNs)));
            }

            md.AppendLine();
        }

        md.AppendLine("`measure-end-to-end`: the same five placements set up side by side in one process and timed in interleaved samples of 2,000");
        md.AppendLine("calls (the order rotates every round), median and fastest sample of the rounds; the targets below use these medians, because");
        md.AppendLine("BenchmarkDotNet runs every case in its own process and the thread placement of a process moves a round trip by microseconds:");
        md.AppendLine();
        if (data.EndToEnd.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
        }
        else
        {
            var processes = data.EndToEnd.Select(o => Num(o, "process")).Distinct().Count() > 1;
            md.AppendLine(processes ? "| Process | Protocol | Policy | Median | Fastest sample | vs `none` (median) |" : "| Protocol | Policy | Median | Fastest sample | vs `none` (median) |");
            md.AppendLine(processes ? "|---:|---|---|---:|---:|---:|" : "|---|---|---:|---:|---:|");
            foreach (var o in data.EndToEnd.Where(o => Str(o, "policy") is not null))
            {
                var none = data.EndToEnd.FirstOrDefault(x => Str(x, "protocol") == Str(o, "protocol") && Num(x, "process") == Num(o, "process") && Str(x, "policy") == "none");
                var cells = new List<string>();
                if (processes)
                {
                    cells.Add(Num(o, "process")?.ToString(CultureInfo.InvariantCulture) ?? "-");
                }

                md.AppendLine(Cells(
                    [.. cells,
                    Str(o, "protocol") ?? "-",
                    Str(o, "policy") ?? "-",
                    Ns(Num(o, "medianNs")),
                    Ns(Num(o, "minNs")),
                    none is null || none == o || !(Num(none, "medianNs") > 0) ? "" : $"{Ns(Num(o, "medianNs") - Num(none, "medianNs"))} ({Percent((Num(o, "medianNs")!.Value - Num(none, "medianNs")!.Value) / Num(none, "medianNs")!.Value)})"]));
            }

            md.AppendLine();
            if (processes)
            {
                md.AppendLine("Each process is a fresh start, so the thread placement differs between them; the overhead targets divide by the fastest");
                md.AppendLine("process's `none` median (the strictest denominator).");
                md.AppendLine();
            }
        }

        md.AppendLine("The host gate's own cost without threads (`measure-host-gate`: `HostGateBenchmarks` with an inner transport that answers at once,");
        md.AppendLine("timed as CPU time of the calling thread, which time slicing does not inflate; median of the rounds; where several fresh");
        md.AppendLine("processes measured it, each is listed and the targets take the median of their differences, since code placement and");
        md.AppendLine("tiering move one process's figure by tens of nanoseconds):");
        md.AppendLine();
        var hostProcesses = data.HostGate.Select(o => Num(o, "process")).Distinct().Count() > 1;
        if (data.HostGate.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
        }
        else
        {
            md.AppendLine(hostProcesses ? "| Process | Protocol | Policy | CPU per call | Allocated | − wrapper |" : "| Protocol | Policy | CPU per call | Allocated | − wrapper |");
            md.AppendLine(hostProcesses ? "|---:|---|---|---:|---:|---:|" : "|---|---|---:|---:|---:|");
        }

        foreach (var o in data.HostGate.Where(o => Str(o, "policy") is not null))
        {
            var wrapper = data.HostGate.FirstOrDefault(x => Str(x, "protocol") == Str(o, "protocol") && Num(x, "process") == Num(o, "process") && Str(x, "policy") == "wrapper");
            var policy = Str(o, "policy");
            md.AppendLine(Cells(
                [.. ProcessCell(o, hostProcesses),
                Str(o, "protocol") ?? "-",
                policy ?? "-",
                Ns(Num(o, "cpuMedianNs")),
                Bytes(Num(o, "allocatedBytesPerCall")),
                policy is "host" or "host-inspect" && wrapper is not null ? Ns(Num(o, "cpuMedianNs") - Num(wrapper, "cpuMedianNs")) : ""]));
        }

        md.AppendLine();

        md.AppendLine("What `WithPolicy` adds on the server side (`measure-server-gate`: a real `McpServer`'s call-tool filters around the tool, with the");
        md.AppendLine("request decoded and the result encoded, on one thread, as CPU time; the SDK's message loop and response write, the same with and");
        md.AppendLine("without the policy, are left out; median of the rounds, per process as above):");
        md.AppendLine();
        var serverProcesses = data.ServerGate.Select(o => Num(o, "process")).Distinct().Count() > 1;
        if (data.ServerGate.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine(serverProcesses ? "| Process | Protocol | Policy | CPU per call | Allocated | − none |" : "| Protocol | Policy | CPU per call | Allocated | − none |");
        md.AppendLine(serverProcesses ? "|---:|---|---|---:|---:|---:|" : "|---|---|---:|---:|---:|");
        foreach (var o in data.ServerGate.Where(o => Str(o, "policy") is not null))
        {
            var baseline = data.ServerGate.FirstOrDefault(x => Str(x, "protocol") == Str(o, "protocol") && Num(x, "process") == Num(o, "process") && Str(x, "policy") == "none");
            md.AppendLine(Cells(
                [.. ProcessCell(o, serverProcesses),
                Str(o, "protocol") ?? "-",
                Str(o, "policy") ?? "-",
                Ns(Num(o, "cpuMedianNs")),
                Bytes(Num(o, "allocatedBytesPerCall")),
                Str(o, "policy") != "none" && baseline is not null ? Ns(Num(o, "cpuMedianNs") - Num(baseline, "cpuMedianNs")) : ""]));
        }

        md.AppendLine();
    }

    private static void WriteGateway(StringBuilder md, ReportData data)
    {
        md.AppendLine("## The `mcp-policy` gateway vs the same server directly");
        md.AppendLine();
        md.AppendLine("`tests/peers/bench-gateway.mjs`: the TypeScript SDK client calls `read_text_file` of `@modelcontextprotocol/server-filesystem`");
        md.AppendLine("directly and through `mcp-policy run` (alternating batches of 100 calls, after warm-up calls alternating the same way: both");
        md.AppendLine("runtimes tier their hot code up during the first seconds of traffic, so the warm-up's medians are shown apart). `full`: schema");
        md.AppendLine("validation, a `path` constraint that resolves symbolic links, flow rules and result inspection; `allow-all`: a trusted server");
        md.AppendLine("and no constraints, i.e. the cost of the two extra stdio hops.");
        md.AppendLine();
        if (data.Gateway.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("| Policy | Run | Direct median | Gateway median | Added at the median | Direct p99 | Gateway p99 | Calls | Added at the median during warm-up (calls) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var o in data.Gateway)
        {
            var d = o["direct"] as JsonObject;
            var g = o["gateway"] as JsonObject;
            var wd = (o["warmup"] as JsonObject)?["direct"] as JsonObject;
            var wg = (o["warmup"] as JsonObject)?["gateway"] as JsonObject;
            var warm = wd is null || wg is null ? "-" : $"{Ms(Num(wg, "median") - Num(wd, "median"))} ({Int(Num(wg, "n"))})";
            md.AppendLine(Cells(
                Str(o, "policy") ?? "-",
                Int(Num(o, "run")),
                Ms(d is null ? null : Num(d, "median")),
                Ms(g is null ? null : Num(g, "median")),
                Ms(Num(o, "addedMedianMs")),
                Ms(d is null ? null : Num(d, "p99")),
                Ms(g is null ? null : Num(g, "p99")),
                Int(g is null ? null : Num(g, "n")),
                warm));
        }

        md.AppendLine();
        foreach (var policy in data.Gateway.Select(o => Str(o, "policy")).Distinct())
        {
            var added = data.Gateway.Where(o => Str(o, "policy") == policy).Select(o => Num(o, "addedMedianMs")).OfType<double>().ToList();
            if (added.Count > 0)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- `{policy}`: the gateway adds {Ms(Median(added))} at the median (median of {added.Count} runs; range {Ms(added.Min())} – {Ms(added.Max())}).");
            }
        }

        md.AppendLine();
    }

    private static void WriteAudit(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Audit trail");
        md.AppendLine();
        md.AppendLine("`AuditOverheadBenchmarks.CallLow`: a LOW call through the pipeline without (`none`) and with the audit (`audit`: record, digest,");
        md.AppendLine("enqueue; the sink discards). `AuditAppendBenchmarks`: appending records to a file (HMAC chain, canonical JSON) without fsync,");
        md.AppendLine("with fsync per record, and through the writer's queue; times are per record.");
        md.AppendLine();
        var rows = data.Bdn.Where(r => r.Class is AuditOverhead or AuditAppend).ToList();
        if (rows.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("| Benchmark | Median | Mean ± StdDev | Allocated | Throughput |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(Cells(
                $"`{r.Class}.{r.Method}`{ParamText(r)}",
                Ns(r.MedianNs),
                $"{Ns(r.MeanNs)} ± {Ns(r.StdDevNs)}",
                Bytes(r.AllocatedBytes),
                r.Class == AuditAppend && r.MedianNs > 0 ? $"{(1e9 / r.MedianNs).ToString("N0", CultureInfo.InvariantCulture)} records/s" : ""));
        }

        md.AppendLine();
    }

    private static void WriteMemory(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Memory per conversation");
        md.AppendLine();
        md.AppendLine("`measure-conversation-memory`: memory retained by the default in-memory conversation state (flow labels, chain progress,");
        md.AppendLine("taint index, limits) after many conversations with a typical history, measured after a full garbage collection.");
        md.AppendLine();
        if (data.ConversationMemory.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        var cases = data.ConversationMemory.Where(o => Str(o, "case") != "bounds").ToList();
        md.AppendLine("| Case | Conversations | Calls each | Untrusted results each | Untrusted characters each | Retained per conversation |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var o in cases)
        {
            md.AppendLine(Cells(
                Str(o, "case") ?? "-",
                Int(Num(o, "conversations")),
                Int(Num(o, "callsPerConversation")),
                Int(Num(o, "untrustedResultsPerConversation")),
                Int(Num(o, "untrustedCharactersPerConversation")),
                Bytes(Num(o, "bytesPerConversation"))));
        }

        md.AppendLine();
        if (data.ConversationMemory.FirstOrDefault(o => Str(o, "case") == "bounds") is { } b)
        {
            var chars = Num(b, "maxTaintedCharactersPerConversation");
            var perChar = Num(b, "documentedBytesPerTaintedCharacterAtMost");
            md.AppendLine(CultureInfo.InvariantCulture, $"Bounds (defaults): at most {Int(Num(b, "maxEventsPerConversation"))} events and {Int(chars)} tainted characters per conversation; the taint index is documented at no more than {Int(perChar)} bytes per kept character, so at most {Bytes(chars * perChar)} for a full index. A conversation idle for {Int(Num(b, "idleTimeoutSeconds"))} s is evicted. The number of conversations itself is not capped: a host with many concurrent conversations should size memory from the last rows, or use a shared store.");
            md.AppendLine();
        }
    }

    private static void WriteScaling(StringBuilder md, ReportData data)
    {
        md.AppendLine("## Scaling");
        md.AppendLine();
        md.AppendLine("How each cost grows with its input; \"× smallest\" divides by the smallest size's median in the same row group.");
        md.AppendLine();
        md.AppendLine("| Cost | Grows with | Size | Median | Allocated | × smallest |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        var any = false;
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == Evaluator && r.Method == "Evaluate"), "decision (`Evaluate`)", "rules", "N");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == Flow && r.Method == "CheckClean"), "flow check, clean", "history (calls)", "History");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == Flow && r.Method == "CheckTainted"), "flow check, tainted", "history (calls)", "History");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == ScalingSchema && r.Method == "IsValidObject"), "validation, object schema (all properties present)", "properties", "Properties");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == ScalingArray && r.Method == "IsValidArray"), "validation, array of objects", "items", "Items");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == ScalingArgument && r.Method == "IsValidString"), "validation, string with `maxLength` + `pattern`", "argument size (KB)", "Kilobytes");
        any |= ScalingRows(md, data.Bdn.Where(r => r.Class == ScalingArgument && r.Method == "FlowTaintCheck"), "flow check with taint scan", "argument size (KB)", "Kilobytes");
        foreach (var group in data.Bdn.Where(r => r.Class.StartsWith("Scaling", StringComparison.Ordinal) && !KnownScaling.Contains((r.Class, r.Method))).GroupBy(r => (r.Class, r.Method)))
        {
            var cases = group.ToList();
            var param = cases[0].Parameters.Keys.FirstOrDefault(k => cases.Select(c => c.Parameters.GetValueOrDefault(k)).Distinct().Count() > 1) ?? cases[0].Parameters.Keys.FirstOrDefault();
            if (param is not null)
            {
                any |= ScalingRows(md, cases, $"`{group.Key.Class}.{group.Key.Method}`", param, param);
            }
        }

        md.AppendLine();
        if (!any)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
        }
    }

    private static readonly HashSet<(string, string)> KnownScaling =
        [(ScalingSchema, "IsValidObject"), (ScalingArray, "IsValidArray"), (ScalingArgument, "IsValidString"), (ScalingArgument, "FlowTaintCheck")];

    private static bool ScalingRows(StringBuilder md, IEnumerable<BdnResult> results, string cost, string growsWith, string parameter)
    {
        var rows = results.Where(r => r.Parameters.ContainsKey(parameter))
            .OrderBy(r => double.TryParse(r.Parameters[parameter], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.MaxValue)
            .ThenBy(r => r.Parameters[parameter], StringComparer.Ordinal)
            .ToList();
        if (rows.Count == 0)
        {
            return false;
        }

        var first = rows[0].MedianNs;
        foreach (var r in rows)
        {
            var others = r.Parameters.Where(p => p.Key != parameter).Select(p => $"{p.Key}={p.Value}").ToList();
            md.AppendLine(Cells(
                others.Count == 0 ? cost : $"{cost} ({string.Join(", ", others)})",
                growsWith,
                r.Parameters[parameter],
                Ns(r.MedianNs),
                Bytes(r.AllocatedBytes),
                first > 0 ? (r.MedianNs / first).ToString("0.00", CultureInfo.InvariantCulture) : "-"));
        }

        return true;
    }

    private static void WriteMethod(StringBuilder md)
    {
        md.AppendLine("## How this was measured");
        md.AppendLine();
        md.AppendLine("- BenchmarkDotNet 0.14 (Release, out-of-process, `MemoryDiagnoser`); the job is in `Report/ReportCommand.cs`. Median and mean are");
        md.AppendLine("  per operation; Allocated is exact and does not depend on load.");
        md.AppendLine("- The peer comparisons use one Stopwatch/`process.hrtime` harness on both sides (warm-up, then the median over batches), so");
        md.AppendLine("  each ratio compares the same measurement method on the same machine in the same run.");
        md.AppendLine("- The load average at start and end is in the table above: on a shared machine, wall-clock figures are upper bounds, and");
        md.AppendLine("  ratios measured within one step are more reliable than absolute times. CPU-time figures (`measure-host-gate`, `measure-server-gate`) are not");
        md.AppendLine("  inflated by other processes.");
        md.AppendLine("- Details of every scenario, and earlier A/B measurements of individual optimizations, are in");
        md.AppendLine("  [benchmarks/README.md](../benchmarks/README.md).");
        md.AppendLine();
    }

    private static void BdnTable(StringBuilder md, ReportData data, string type, string? intro)
    {
        var rows = data.Bdn.Where(r => r.Class == type).ToList();
        if (intro is not null)
        {
            md.AppendLine(intro);
            md.AppendLine();
        }

        if (rows.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        var keys = rows.SelectMany(r => r.Parameters.Keys).Distinct().ToList();
        md.AppendLine("| Method | " + string.Concat(keys.Select(k => k + " | ")) + "Median | Mean ± StdDev | Allocated |");
        md.AppendLine("|---|" + string.Concat(keys.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(Cells([$"`{r.Method}`", .. keys.Select(k => r.Parameters.GetValueOrDefault(k) ?? ""), Ns(r.MedianNs), $"{Ns(r.MeanNs)} ± {Ns(r.StdDevNs)}", Bytes(r.AllocatedBytes)]));
        }

        md.AppendLine();
    }

    internal static List<JsonObject> Engine(IReadOnlyList<JsonObject> lines, string engine) =>
        lines.Where(o => Str(o, "engine") == engine).ToList();

    internal static double? Num(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    internal static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    internal static string ProtocolParam(string protocol) => protocol == DefaultProtocol ? "null" : protocol;

    private static string ProtocolName(string? parameter) => parameter is null or "null" or "" ? DefaultProtocol : parameter;

    private static string Verdict(JsonObject o) =>
        o["valid"] is JsonValue v && v.TryGetValue(out bool b) ? (b ? "valid" : Num(o, "errors") is { } e ? $"invalid ({Int(e)} error{(e == 1 ? "" : "s")})" : "invalid") : "-";

    private static string ParamText(BdnResult r) =>
        r.Parameters.Count == 0 ? "" : " (" + string.Join(", ", r.Parameters.Select(p => $"{p.Key}={p.Value}")) + ")";

    /// <summary>", with N allocated per call" for the host gate under one protocol (host minus wrapper, first process), or nothing.</summary>
    private static string AllocatedByGate(ReportData data, string protocol)
    {
        var host = data.HostGate.FirstOrDefault(o => Str(o, "protocol") == protocol && Str(o, "policy") == "host");
        var wrapper = host is null ? null : data.HostGate.FirstOrDefault(o => Str(o, "protocol") == protocol && Num(o, "process") == Num(host, "process") && Str(o, "policy") == "wrapper");
        return host is null || wrapper is null || Num(host, "allocatedBytesPerCall") - Num(wrapper, "allocatedBytesPerCall") is not { } bytes
            ? ""
            : $", {Bytes(bytes)} allocated per call";
    }

    /// <summary>
    /// A gate's added CPU time for one protocol: the median over the processes that measured it (each line is one process's median of
    /// its rounds), and, when there are several, the spread as text to append.
    /// </summary>
    internal static (double Median, string Spread)? GateFigure(IReadOnlyList<JsonObject> lines, string protocol, string field)
    {
        var values = lines.Where(o => Str(o, "protocol") == protocol).Select(o => Num(o, field)).OfType<double>().ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var spread = values.Count == 1 ? "" : $"; median of {values.Count} processes, {Ns(values.Min())} – {Ns(values.Max())}";
        return (Median(values), spread);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static string[] ProcessCell(JsonObject o, bool processes)
        => processes ? [Num(o, "process")?.ToString(CultureInfo.InvariantCulture) ?? "-"] : [];

    private static string Cells(params string[] cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |";

    internal static string Ns(double? ns) => ns switch
    {
        null => "-",
        < 0 => "−" + Ns(-ns.Value),
        < 1_000 => ns.Value.ToString("0.0", CultureInfo.InvariantCulture) + " ns",
        < 1_000_000 => (ns.Value / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " µs",
        < 1_000_000_000 => (ns.Value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        _ => (ns.Value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };

    internal static string Ms(double? ms) => ms is null ? "-" : ms.Value.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    internal static string Bytes(double? b) => b switch
    {
        null => "-",
        < 1024 => Math.Round(b.Value).ToString("0", CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (b.Value / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => (b.Value / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };

    private static string Ratio(double r, int decimals = 0) =>
        decimals == 0 ? Math.Round(r).ToString("N0", CultureInfo.InvariantCulture) + "×" : r.ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture) + "×";

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Int(double? d) => d is null ? "-" : d.Value.ToString("N0", CultureInfo.InvariantCulture);
}
