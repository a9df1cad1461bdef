using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The benchmark scenario shared by the BenchmarkDotNet classes, <c>measure-decisions</c> and the Cedar comparison:
/// a policy with <c>n</c> tools entries and rules, and one call (<c>bank/send_money</c>) it rates Low.
/// </summary>
/// <remarks>
/// Layout for <c>n</c> entries, index <c>i</c> in 0..n-1:
/// <list type="bullet">
/// <item>i = 0: the exact entry <c>bank/send_money</c> Low, with argument constraints the call satisfies.</item>
/// <item>every 8th (i % 8 == 4): an entry or rule that matches the call but does not raise it: rules whose <c>when</c>
/// does not hold (min on amount, in/notIn on currency, equals on recipient, minLength on reference), or a broader
/// tools entry (<c>bank/send_*</c> Medium) whose constraints hold and which the exact entry outranks.</item>
/// <item>the rest: entries and rules that do not match the call (<c>svcK/*_K</c>, <c>*/delete_K_*</c>, <c>bankK/*</c>, ...).</item>
/// </list>
/// Every condition stays inside what Cedar can express exactly (see benchmarks/README.md): no conditions on the array
/// argument, numbers are integers, and a length condition in a rule is always paired with a numeric one that decides.
/// </remarks>
public static class Scenario
{
    /// <summary>The policy sizes measured.</summary>
    public static readonly int[] Sizes = [10, 100, 1000];

    public const string Server = "bank";

    public const string Tool = "send_money";

    /// <summary>The call's arguments: strings, an integer amount and a small array of strings (about 200 bytes).</summary>
    public const string ArgumentsJson =
        """{"recipient":"DE89370400440532013000","amount":250,"currency":"EUR","reference":"Invoice 2026-11-0042","memo":"monthly rent, flat 3B","tags":["rent","recurring","household"],"executeOn":"2026-11-30","from":"checking"}""";

    /// <summary>The risk both engines must compute for the call.</summary>
    public const RiskLevel ExpectedRisk = RiskLevel.Low;

    /// <summary>Builds the policy with <paramref name="n"/> tools entries and rules.</summary>
    /// <param name="n">The number of entries (tools + rules).</param>
    /// <param name="withFiringRule">Replaces the last entry by a rule that holds for the call and raises it to High.</param>
    public static McpPolicyOptions BuildPolicy(int n, bool withFiringRule = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var o = new McpPolicyOptions();
        o.Defaults.Risk = RiskLevel.Medium;
        o.Servers["bank"] = new ServerPolicy { Trusted = true };
        o.Servers["svc1"] = new ServerPolicy { Trusted = false };

        var exact = new ToolPolicy("bank/send_money", RiskLevel.Low) { Reason = "payments within the allow-list" };
        exact.Arguments["amount"] = new ArgumentCondition { Min = 1, Max = 10_000 };
        exact.Arguments["currency"] = ArgumentCondition.OneOf("EUR", "USD", "GBP");
        exact.Arguments["reference"] = new ArgumentCondition { MaxLength = 140 };
        o.Tools.Add(exact);

        var last = withFiringRule ? n - 1 : n;
        for (var i = 1; i < last; i++)
        {
            var k = i.ToString(CultureInfo.InvariantCulture);
            if (i % 8 == 4)
            {
                AddMatching(o, i / 8, k);
            }
            else
            {
                AddNonMatching(o, i, k);
            }
        }

        if (withFiringRule)
        {
            var fires = new RulePolicy("transfer-approval", "bank/send_money", RiskLevel.High) { Reason = "transfers of 100 or more need approval" };
            fires.When["amount"] = new ArgumentCondition { Min = 100 };
            o.Rules.Add(fires);
        }

        return o;
    }

    /// <summary>An entry or rule that matches <c>bank/send_money</c> and does not raise its risk.</summary>
    private static void AddMatching(McpPolicyOptions o, int ordinal, string k)
    {
        switch (ordinal % 6)
        {
            case 0:
            {
                var r = new RulePolicy("large-transfer-" + k, "bank/send_money", RiskLevel.High);
                r.When["amount"] = new ArgumentCondition { Min = 100_000 };
                o.Rules.Add(r);
                break;
            }

            case 1:
            {
                var r = new RulePolicy("exotic-currency-" + k, "bank/*", RiskLevel.High);
                r.When["currency"] = ArgumentCondition.OneOf("JPY", "CHF", "XAU");
                o.Rules.Add(r);
                break;
            }

            case 2:
            {
                // A broader entry the exact one outranks; its constraints hold, so it raises nothing.
                var t = new ToolPolicy("bank/send_*", RiskLevel.Medium);
                t.Arguments["amount"] = new ArgumentCondition { Max = 1_000_000 };
                t.Arguments["currency"] = ArgumentCondition.NoneOf("XAU", "BTC");
                o.Tools.Add(t);
                break;
            }

            case 3:
            {
                var r = new RulePolicy("blocked-recipient-" + k, "bank/send_money", RiskLevel.Block);
                r.When["recipient"] = ArgumentCondition.Equal("GB00ATTACKER0000000000");
                o.Rules.Add(r);
                break;
            }

            case 4:
            {
                var r = new RulePolicy("unlisted-currency-" + k, "*/send_*", RiskLevel.High);
                r.When["currency"] = ArgumentCondition.NoneOf("EUR", "USD", "GBP");
                o.Rules.Add(r);
                break;
            }

            default:
            {
                // Both conditions must hold; neither does (reference is shorter than 64, amount below 50000).
                var r = new RulePolicy("long-reference-" + k, "bank/send_money", RiskLevel.Medium);
                r.When["reference"] = new ArgumentCondition { MinLength = 64 };
                r.When["amount"] = new ArgumentCondition { Min = 50_000 };
                o.Rules.Add(r);
                break;
            }
        }
    }

    /// <summary>An entry or rule that does not match <c>bank/send_money</c>.</summary>
    private static void AddNonMatching(McpPolicyOptions o, int i, string k)
    {
        switch (i % 5)
        {
            case 0:
                o.Tools.Add(new ToolPolicy($"svc{k}/*_{k}", RiskLevel.Medium));
                break;
            case 1:
                o.Tools.Add(new ToolPolicy($"*/delete_{k}_*", RiskLevel.Block) { Reason = "deleting is not allowed here" });
                break;
            case 2:
                o.Tools.Add(new ToolPolicy($"bank{k}/*", RiskLevel.High));
                break;
            case 3:
            {
                var t = new ToolPolicy($"svc{k}/read_{k}", RiskLevel.Low);
                t.Arguments["path"] = new ArgumentCondition { MaxLength = 256 };
                o.Tools.Add(t);
                break;
            }

            default:
            {
                var r = new RulePolicy("svc-limit-" + k, $"svc{k}/*", RiskLevel.High);
                r.When["amount"] = new ArgumentCondition { Min = 10 };
                o.Rules.Add(r);
                break;
            }
        }
    }

    /// <summary>The tool as the gate knows it (so it is not an unknown tool).</summary>
    public static ToolDescriptor Descriptor { get; } = new(Tool)
    {
        Hints = new ToolHints(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true),
    };

    /// <summary>A context for the call; evaluation does not change it, so one instance can be evaluated repeatedly.</summary>
    public static ToolInvocationContext CreateContext()
        => new(Server, Tool, ToolArguments.Parse(ArgumentsJson), Descriptor);

    /// <summary>Writes <c>call.json</c>: <c>{"server","tool","arguments","expectedRisk"}</c>.</summary>
    public static void WriteCall(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("server", Server);
        w.WriteString("tool", Tool);
        w.WritePropertyName("arguments");
        using (var doc = JsonDocument.Parse(ArgumentsJson))
        {
            doc.RootElement.WriteTo(w);
        }

        w.WriteString("expectedRisk", ExpectedRisk.ToString());
        w.WriteEndObject();
    }
}
