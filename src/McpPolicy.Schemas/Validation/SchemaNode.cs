using System.Buffers;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// A compiled schema: its keywords, ready to evaluate. Nodes form an immutable graph (references may be cyclic).
/// </summary>
/// <remarks>
/// Annotation tracking for <c>unevaluatedProperties</c>/<c>unevaluatedItems</c> uses a bitset over the instance's
/// members or items: the span passed to <see cref="Evaluate"/> is empty when the caller does not need to know which
/// members were evaluated, and a node with <c>unevaluated*</c> keywords makes its own (on the stack when small).
/// </remarks>
internal sealed class SchemaNode
{
    private const int StackWords = 8;

    public SchemaNode(string location, SchemaResource resource)
    {
        Location = location;
        Resource = resource;
    }

    /// <summary>Where this schema is, for messages: "#/properties/a" in the compiled schema, "uri#/…" elsewhere.</summary>
    public string Location { get; }

    /// <summary>The schema resource this node belongs to (its dynamic scope entry).</summary>
    public SchemaResource Resource { get; }

    public Keyword[] Keywords { get; set; } = [];

    /// <summary>The boolean schema <c>false</c>.</summary>
    public bool IsFalse { get; set; }

    /// <summary>Has <c>unevaluatedProperties</c> or <c>unevaluatedItems</c> (which run last and read the bitset).</summary>
    public bool TracksEvaluation { get; set; }

    public bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (IsFalse)
        {
            if (state.Collect)
            {
                state.Report("false", Location, "is not allowed here (the schema is false)");
            }

            return false;
        }

        var keywords = Keywords;
        if (keywords.Length == 0)
        {
            return true;
        }

        if (!state.Enter(this, out bool pushedScope))
        {
            return false;
        }

        bool valid = TracksEvaluation && instance.ValueKind is JsonValueKind.Object or JsonValueKind.Array
            ? EvaluateTracked(state, instance, evaluated)
            : EvaluateKeywords(state, instance, evaluated);
        state.Leave(pushedScope);
        return valid;
    }

    private bool EvaluateKeywords(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool valid = true;
        foreach (var keyword in Keywords)
        {
            if (!keyword.Evaluate(state, instance, evaluated))
            {
                valid = false;
                if (!state.Collect || state.Stopped)
                {
                    break;
                }
            }
        }

        return valid;
    }

    private bool EvaluateTracked(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        int count = instance.ValueKind == JsonValueKind.Object ? instance.GetPropertyCount() : instance.GetArrayLength();
        int words = Bits.Words(count);
        ulong[]? rented = null;
        Span<ulong> own = words <= StackWords ? stackalloc ulong[StackWords] : (rented = ArrayPool<ulong>.Shared.Rent(words));
        own = own[..words];
        own.Clear();
        bool valid = EvaluateKeywords(state, instance, own);
        if (valid && !evaluated.IsEmpty)
        {
            Bits.Or(evaluated, own);
        }

        if (rented is not null)
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }

        return valid;
    }
}

/// <summary>One compiled keyword (or a group evaluated together, such as properties + patternProperties + additionalProperties).</summary>
internal abstract class Keyword
{
    protected Keyword(string name, string location)
    {
        Name = name;
        Location = location;
    }

    /// <summary>The keyword named in errors.</summary>
    public string Name { get; }

    /// <summary>The keyword's schema location, for errors.</summary>
    public string Location { get; }

    /// <summary>Evaluates the keyword; marks evaluated members/items in <paramref name="evaluated"/> when it is not empty.</summary>
    public abstract bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated);

    /// <summary>Whether <see cref="EvaluateString"/> can evaluate this keyword against a bare string (for <c>propertyNames</c>).</summary>
    public virtual bool SupportsStringInstance => false;

    /// <summary>Evaluates the keyword against a string that is not in a JSON document (a member name), without allocating.</summary>
    public virtual bool EvaluateString(ValidationState state, ReadOnlySpan<char> value) => throw new NotSupportedException();

    /// <summary>Reports a failure of this keyword (callers build the message only when <see cref="ValidationState.Collect"/>).</summary>
    protected bool Fail(ValidationState state, string message)
    {
        state.Report(Name, Location, message);
        return false;
    }
}

/// <summary>Bitset helpers over spans of 64-bit words.</summary>
internal static class Bits
{
    public static int Words(int count) => (count + 63) >> 6;

    public static void Set(Span<ulong> bits, int index) => bits[index >> 6] |= 1UL << (index & 63);

    public static bool Get(ReadOnlySpan<ulong> bits, int index) => (bits[index >> 6] & (1UL << (index & 63))) != 0;

    public static void SetAll(Span<ulong> bits) => bits.Fill(ulong.MaxValue);

    public static void Or(Span<ulong> target, ReadOnlySpan<ulong> source)
    {
        for (int i = 0; i < target.Length && i < source.Length; i++)
        {
            target[i] |= source[i];
        }
    }
}
