using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using McpPolicy.Json;

namespace McpPolicy.Client;

/// <summary>
/// Whether a parsed JSON value repeats a property name in any of its objects — what a strict parse
/// (<see cref="JsonDocumentOptions.AllowDuplicateProperties"/> false) refuses — judged on the element without parsing it again. Names
/// are compared as their UTF-8 bytes, which is exact only for names written without escapes; a name with an escape, an object with
/// more than <see cref="MaxNames"/> properties or nesting deeper than <see cref="MaxDepth"/> leaves the question
/// <see cref="Verdict.Undecided"/>, for the caller's strict parse to answer.
/// </summary>
internal static class UniqueNames
{
    /// <summary>Objects with more properties are not compared pairwise here.</summary>
    public const int MaxNames = 32;

    /// <summary>Values nested deeper are left to the strict parse, whose own depth limit then applies.</summary>
    public const int MaxDepth = 32;

    /// <summary>The answer of <see cref="Check(JsonElement)"/>.</summary>
    public enum Verdict
    {
        /// <summary>No object repeats a name.</summary>
        Unique,

        /// <summary>Some object repeats a name.</summary>
        Repeated,

        /// <summary>The walk cannot tell (an escaped name, a large object, deep nesting).</summary>
        Undecided,
    }

    /// <summary>Walks <paramref name="element"/> and every value inside it.</summary>
    public static Verdict Check(JsonElement element) => Check(element, useRows: true);

    /// <summary><see cref="Check(JsonElement)"/>, on the document's rows when <paramref name="useRows"/> and they can be read, else on the public API.</summary>
    internal static Verdict Check(JsonElement element, bool useRows)
    {
        ParamsMembers unused = default;
        return Walk(element, ref unused, collect: false, useRows);
    }

    /// <summary>
    /// <see cref="Check(JsonElement)"/> for a <c>tools/call</c> request's params, handing back on the way its <c>name</c>,
    /// <c>arguments</c> and <c>_meta</c> members (undefined where absent; meaningful only when the verdict is <see cref="Verdict.Unique"/>).
    /// </summary>
    public static Verdict CheckParams(JsonElement element, out ParamsMembers members) => CheckParams(element, out members, useRows: true);

    /// <summary><see cref="CheckParams(JsonElement, out ParamsMembers)"/>, on the rows when <paramref name="useRows"/> and they can be read.</summary>
    internal static Verdict CheckParams(JsonElement element, out ParamsMembers members, bool useRows)
    {
        members = default;
        return Walk(element, ref members, collect: true, useRows);
    }

    /// <summary>The walk on the document's rows when <paramref name="useRows"/> and they can be read, else on the public API.</summary>
    private static Verdict Walk(JsonElement element, ref ParamsMembers members, bool collect, bool useRows)
        => useRows && JsonRows.TryOpen(element, out var rows, out var index)
            ? CurrentVerdict(rows, CheckRows(rows, index, 0, ref members, collect))
            : CheckAt(element, 0, ref members, collect);

    /// <summary>A verdict reached on rows stands only while the document still owns them (it was not disposed meanwhile).</summary>
    internal static Verdict CurrentVerdict(in JsonRows rows, Verdict verdict) => rows.IsCurrent() ? verdict : Verdict.Undecided;

    /// <summary>
    /// <see cref="CheckAt"/> on the document's rows: the same questions in the same order (so the same verdicts), without a public
    /// element call per name and value. An array whose row says it holds no object or array is not walked at all.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // One copy, shared by the params, the arguments and the recursion.
    private static Verdict CheckRows(in JsonRows rows, int index, int depth, ref ParamsMembers members, bool collect)
    {
        var row = rows[index];
        switch (row.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                if (depth >= MaxDepth)
                {
                    return Verdict.Undecided;
                }

                var count = row.Length;
                var first = index + JsonRows.RowSize;
                var at = first;
                for (var m = 0; m < count; m++)
                {
                    var nameRow = rows[at];
                    if (m == MaxNames || nameRow.HasEscapes)
                    {
                        return Verdict.Undecided;
                    }

                    // No earlier name has escapes (checked on the way), so equal bytes mean equal names and unequal ones not.
                    var name = rows.Text(nameRow);
                    var earlier = first;
                    for (var e = 0; e < m; e++)
                    {
                        if (rows.Text(rows[earlier]).SequenceEqual(name))
                        {
                            return Verdict.Repeated;
                        }

                        earlier = rows.Next(earlier + JsonRows.RowSize);
                    }

                    var valueAt = at + JsonRows.RowSize;
                    if (collect)
                    {
                        members.Take(name, rows.Element(valueAt));
                    }

                    var value = rows[valueAt];
                    if (value.IsValue)
                    {
                        at = valueAt + JsonRows.RowSize;
                        continue;
                    }

                    var inner = CheckRows(rows, valueAt, depth + 1, ref members, collect: false);
                    if (inner != Verdict.Unique)
                    {
                        return inner;
                    }

                    at = valueAt + (JsonRows.RowSize * (value.Rows + 1));
                }

                return Verdict.Unique;
            }

            case JsonTokenType.StartArray:
            {
                if (depth >= MaxDepth)
                {
                    return Verdict.Undecided;
                }

                // For an array the flag says whether an object or array is among its items.
                if (!row.HasEscapes)
                {
                    return Verdict.Unique;
                }

                var end = index + (JsonRows.RowSize * row.Rows);
                for (var at = index + JsonRows.RowSize; at < end; at = rows.Next(at))
                {
                    if (!rows[at].IsValue)
                    {
                        var inner = CheckRows(rows, at, depth + 1, ref members, collect: false);
                        if (inner != Verdict.Unique)
                        {
                            return inner;
                        }
                    }
                }

                return Verdict.Unique;
            }

            default:
                return Verdict.Unique;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // One copy, shared by the params, the arguments and the recursion.
    private static Verdict CheckAt(JsonElement element, int depth, ref ParamsMembers members, bool collect)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth >= MaxDepth)
                {
                    return Verdict.Undecided;
                }

                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    var name = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (index == MaxNames || name.Contains((byte)'\\'))
                    {
                        return Verdict.Undecided;
                    }

                    // The names before this one were checked for escapes already, so equal bytes mean equal names and unequal ones not.
                    var earlier = 0;
                    foreach (var other in element.EnumerateObject())
                    {
                        if (earlier++ == index)
                        {
                            break;
                        }

                        if (JsonMarshal.GetRawUtf8PropertyName(other).SequenceEqual(name))
                        {
                            return Verdict.Repeated;
                        }
                    }

                    index++;
                    if (collect)
                    {
                        // A name without escapes (checked above): its bytes are its text.
                        members.Take(name, property.Value);
                    }

                    var inner = CheckAt(property.Value, depth + 1, ref members, collect: false);
                    if (inner != Verdict.Unique)
                    {
                        return inner;
                    }
                }

                return Verdict.Unique;
            case JsonValueKind.Array:
                if (depth >= MaxDepth)
                {
                    return Verdict.Undecided;
                }

                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        var inner = CheckAt(item, depth + 1, ref members, collect: false);
                        if (inner != Verdict.Unique)
                        {
                            return inner;
                        }
                    }
                }

                return Verdict.Unique;
            default:
                return Verdict.Unique;
        }
    }
}

/// <summary>The members of a <c>tools/call</c> request's params that the gate reads (undefined where absent).</summary>
internal struct ParamsMembers
{
    /// <summary>The <c>name</c> member.</summary>
    public JsonElement Name;

    /// <summary>The <c>arguments</c> member.</summary>
    public JsonElement Arguments;

    /// <summary>The <c>_meta</c> member.</summary>
    public JsonElement Meta;

    /// <summary>Keeps <paramref name="value"/> when <paramref name="name"/> (unescaped UTF-8) names one of the three.</summary>
    public void Take(ReadOnlySpan<byte> name, JsonElement value)
    {
        if (name.SequenceEqual("name"u8))
        {
            Name = value;
        }
        else if (name.SequenceEqual("arguments"u8))
        {
            Arguments = value;
        }
        else if (name.SequenceEqual("_meta"u8))
        {
            Meta = value;
        }
    }
}
