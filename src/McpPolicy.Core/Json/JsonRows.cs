using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpPolicy.Json;

/// <summary>
/// Read access to the parse table a <see cref="JsonDocument"/> already built (one 12-byte row per token: where its text
/// starts, its length or member count with a flag bit, and its token type with the number of rows it spans), so a walk over
/// a value (the schema validator's boolean path, the gate's repeated-name check) needs no public <see cref="JsonElement"/>
/// call per value, each of which checks for disposal and reads the same row again.
/// </summary>
/// <remarks>
/// <para>
/// The table is internal to System.Text.Json, so it is used only after a self-check, run once: probe documents (nested
/// objects and arrays, escaped names and strings, every kind of value, sub-elements and clones) are walked both ways and
/// every row read here must agree with the public API — the kind, the raw text, the escapes flag, member and item counts
/// and the index of every child. Any difference, any exception, or a runtime without dynamic code, and
/// <see cref="IsAvailable"/> stays false for the process: callers then use the public API only (the same verdicts).
/// </para>
/// <para>
/// Every read is bounds-checked against the table's length, and a disposed document (no table) is left to the public API,
/// which reports it.
/// </para>
/// </remarks>
internal readonly ref struct JsonRows
{
    /// <summary>The size of one row in bytes.</summary>
    public const int RowSize = 12;

    private static readonly MetadataReader? s_reader = CreateReader();

    private readonly JsonDocument _document;
    private readonly byte[] _array;
    private readonly ReadOnlySpan<byte> _json;
    private readonly ReadOnlySpan<byte> _table;

    private JsonRows(JsonDocument document, byte[] array, ReadOnlySpan<byte> json, int length)
    {
        _document = document;
        _array = array;
        _json = json;
        _table = array.AsSpan(0, length);
    }

    private delegate byte[]? MetadataReader(JsonDocument document, out int length);

    /// <summary>The probe documents of the self-check.</summary>
    internal static IReadOnlyList<string> Probes { get; } =
    [
        """{"command":"git","args":["log","-n","20"],"cwd":"/home/dev","env":{"A_B":"1","LC":"C"},"n":30,"x":null}""",
        """{"a\u0041":"v\"q","b":[1,-2.5e+3,true,false,null,[],{},[[1],{"c":[]}]],"":{"":""},"d":"\ud83d\ude00é","e\\":0}""",
        """[{"a":1},[2,[3,[4]]],"s\n",0.1,{}]""",
        "\"plain \\u00e9\"",
        "12345678901234567890123",
        "true",
        "null",
        """{"deep":{"a":{"b":{"c":{"d":[{"e":[{"f":"g"}]}]}}}},"after":[1,2,{"x":"y"}]}""",
    ];

    /// <summary>Whether the rows can be read on this runtime (the self-check passed).</summary>
    public static bool IsAvailable { get; } = s_reader is not null && SelfCheck();

    /// <summary>The rows of <paramref name="element"/>'s document and the element's row, when available and not disposed.</summary>
    public static bool TryOpen(JsonElement element, out JsonRows rows, out int index)
    {
        if (IsAvailable)
        {
            return TryOpenCore(element, out rows, out index);
        }

        rows = default;
        index = 0;
        return false;
    }

    /// <summary>The row at <paramref name="index"/> (a byte offset into the table, a multiple of <see cref="RowSize"/>).</summary>
    public Row this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // One bounds check (the index is never negative: it is a row start or the end of a container in the table).
            if ((uint)index > (uint)(_table.Length - RowSize))
            {
                ThrowOutOfRange();
            }

            return Unsafe.ReadUnaligned<Row>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_table), (uint)index));
        }
    }

    /// <summary>The text of a row: a string's or name's bytes between the quotes (escapes written out), a number's or literal's bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Text(Row row) => _json.Slice(row.Location, row.Length);

    /// <summary>
    /// The first eight bytes of a row's text as a little-endian number, zero-filled past its end (as the name tables key
    /// texts): one read from the document when eight bytes are there, which they are for all but the document's last token.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Prefix(Row row)
    {
        int length = row.Length;
        if ((ulong)(uint)row.Location + 8 <= (ulong)(uint)_json.Length)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_json), (uint)row.Location));
            if (!BitConverter.IsLittleEndian)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            return length >= 8 ? word : word & ~(ulong.MaxValue << (length << 3));
        }

        return PrefixOf(Text(row));
    }

    /// <summary>
    /// <see cref="Prefix"/> of any text: its first eight bytes (fewer, zero-filled, for a shorter text) as a little-endian
    /// number, the key of the name and enum tables.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong PrefixOf(ReadOnlySpan<byte> text)
    {
        if (text.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(text);
        }

        ulong prefix = 0;
        for (int i = Math.Min(text.Length, 8) - 1; i >= 0; i--)
        {
            prefix = (prefix << 8) | text[i];
        }

        return prefix;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange() => throw new InvalidOperationException("A JSON document row index is out of range.");

    /// <summary>The document <paramref name="element"/> belongs to (null for a default element). Throws when this runtime's element has no such field.</summary>
    internal static JsonDocument? DocumentOf(ref JsonElement element) => Accessors.Parent(ref element);

    /// <summary>The public element for the row at <paramref name="index"/>, for the generic keywords.</summary>
    public JsonElement Element(int index) => Accessors.NewElement(_document, index);

    private static bool TryOpenCore(JsonElement element, out JsonRows rows, out int index)
    {
        rows = default;
        index = Accessors.Index(ref element);
        var document = Accessors.Parent(ref element);
        if (document is null || s_reader is null)
        {
            return false;
        }

        byte[]? table = s_reader(document, out int length);
        var json = Accessors.Utf8(document).Span;
        if (table is null || json.IsEmpty || (uint)length > (uint)table.Length || index < 0 || index > length - RowSize || index % RowSize != 0)
        {
            return false;
        }

        rows = new JsonRows(document, table, json, length);
        return true;
    }

    /// <summary>
    /// Whether the document still owns the table read (not disposed meanwhile, which returns the table to a pool where
    /// another document may reuse it): a verdict reached on the rows stands only then.
    /// </summary>
    public bool IsCurrent()
        => s_reader is not null && ReferenceEquals(s_reader(_document, out int length), _array) && length == _table.Length
            && !Accessors.Utf8(_document).IsEmpty;

    /// <summary>Compiles the reader of the document's table (a private struct field, so not reachable by an accessor), or null.</summary>
    private static MetadataReader? CreateReader()
    {
        try
        {
            if (!RuntimeFeature.IsDynamicCodeSupported)
            {
                return null;
            }

            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
            var tableField = typeof(JsonDocument).GetField("_parsedData", Instance);
            var dataField = tableField?.FieldType.GetField("_data", Instance);
            var lengthGetter = tableField?.FieldType.GetProperty("Length", Instance)?.GetMethod;
            if (tableField is null || dataField?.FieldType != typeof(byte[]) || lengthGetter?.ReturnType != typeof(int))
            {
                return null;
            }

            var method = new DynamicMethod("ReadJsonDocumentRows", typeof(byte[]), [typeof(JsonDocument), typeof(int).MakeByRefType()], typeof(JsonRows).Module, skipVisibility: true);
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldflda, tableField);
            il.Emit(OpCodes.Call, lengthGetter);
            il.Emit(OpCodes.Stind_I4);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldflda, tableField);
            il.Emit(OpCodes.Ldfld, dataField);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<MetadataReader>();
        }
#pragma warning disable CA1031 // Any failure means "not available": callers then use the public API.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Walks every probe both ways (root, each child as its own instance, and a clone); true when all agree.</summary>
    internal static bool SelfCheck()
    {
        try
        {
            foreach (string probe in Probes)
            {
                using var document = JsonDocument.Parse(probe);
                var root = document.RootElement;
                if (!Agrees(root) || !Agrees(root.Clone()))
                {
                    return false;
                }

                var children = root.ValueKind switch
                {
                    JsonValueKind.Object => root.EnumerateObject().Select(property => property.Value).ToList(),
                    JsonValueKind.Array => root.EnumerateArray().ToList(),
                    _ => [],
                };
                if (children.Any(child => !Agrees(child)))
                {
                    return false;
                }
            }

            // A disposed document has no table: it must be refused (the public API then reports the disposal).
            var disposed = JsonDocument.Parse("""{"a":1}""");
            var element = disposed.RootElement;
            disposed.Dispose();
            return !TryOpenCore(element, out _, out _);
        }
#pragma warning disable CA1031 // Any failure means "not available": callers then use the public API.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Whether the rows of <paramref name="element"/> say what the public API says about it.</summary>
    internal static bool Agrees(JsonElement element) => Agrees(element, element);

    /// <summary>
    /// Whether the rows of <paramref name="rowsOf"/>'s document, from its row, say what the public API says about
    /// <paramref name="element"/> (the same element in the self-check; another document's in the tests that show a
    /// difference is caught).
    /// </summary>
    internal static bool Agrees(JsonElement rowsOf, JsonElement element)
        => TryOpenCore(rowsOf, out var rows, out int index) && rows.Agrees(index, element, 0);

    private bool Agrees(int index, JsonElement element, int depth)
    {
        if (depth > 64)
        {
            return false;
        }

        var row = this[index];
        var kind = element.ValueKind;
        if (row.ValueKind != kind || Accessors.Index(ref element) != index)
        {
            return false;
        }

        var again = Element(index);
        if (again.ValueKind != kind || !JsonMarshal.GetRawUtf8Value(again).SequenceEqual(JsonMarshal.GetRawUtf8Value(element)))
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                return row.IsValue && Text(row).SequenceEqual(raw[1..^1]) && row.HasEscapes == raw.Contains((byte)'\\') && Prefix(row) == PrefixOf(raw[1..^1]);
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Null:
                return row.IsValue && Text(row).SequenceEqual(JsonMarshal.GetRawUtf8Value(element));
            case JsonValueKind.Object:
            {
                if (row.IsValue || row.Length != element.GetPropertyCount())
                {
                    return false;
                }

                int end = index + (RowSize * row.Rows);
                int i = index + RowSize;
                foreach (var property in element.EnumerateObject())
                {
                    var name = this[i];
                    var rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (i >= end || name.TokenType != JsonTokenType.PropertyName || !Text(name).SequenceEqual(rawName) || name.HasEscapes != rawName.Contains((byte)'\\')
                        || Prefix(name) != PrefixOf(rawName)
                        || !Agrees(i + RowSize, property.Value, depth + 1))
                    {
                        return false;
                    }

                    i = Next(i + RowSize);
                }

                return i == end && this[end].TokenType == JsonTokenType.EndObject;
            }

            case JsonValueKind.Array:
            {
                if (row.IsValue || row.Length != element.GetArrayLength())
                {
                    return false;
                }

                int end = index + (RowSize * row.Rows);
                int i = index + RowSize;
                bool complex = false;
                foreach (var item in element.EnumerateArray())
                {
                    complex |= item.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
                    if (i >= end || !Agrees(i, item, depth + 1))
                    {
                        return false;
                    }

                    i = Next(i);
                }

                return i == end && this[end].TokenType == JsonTokenType.EndArray && row.HasEscapes == complex;
            }

            default:
                return false;
        }
    }

    /// <summary>The index of the value after the one at <paramref name="index"/> (past its end row when it is an object or array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int index)
    {
        var row = this[index];
        return row.IsValue ? index + RowSize : index + (RowSize * (row.Rows + 1));
    }

    /// <summary>One row of the table, as System.Text.Json lays it out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct Row
    {
        private readonly int _location;
        private readonly int _lengthAndFlag;
        private readonly int _rowsAndType;

        /// <summary>Where the token's text starts (after the opening quote of a string or name).</summary>
        public int Location => _location;

        /// <summary>The text's length; for an object its member count, for an array its item count.</summary>
        public int Length => _lengthAndFlag & int.MaxValue;

        /// <summary>A string or name with escapes; an array with an object or array among its items.</summary>
        public bool HasEscapes => _lengthAndFlag < 0;

        /// <summary>For an object or array, the rows up to its end row.</summary>
        public int Rows => _rowsAndType & 0x0FFFFFFF;

        /// <summary>The token type.</summary>
        public JsonTokenType TokenType => (JsonTokenType)((uint)_rowsAndType >> 28);

        /// <summary>A one-row value (not an object or array).</summary>
        public bool IsValue => TokenType >= JsonTokenType.PropertyName;

        /// <summary>The token type as the public <see cref="JsonValueKind"/>.</summary>
        public JsonValueKind ValueKind => (JsonValueKind)Kinds[(int)((uint)_rowsAndType >> 28)];

        // Indexed by JsonTokenType: StartObject, StartArray, String, Number, True, False, Null; anything else Undefined.
        private static ReadOnlySpan<byte> Kinds => [0, 1, 0, 2, 0, 0, 0, 3, 4, 5, 6, 7, 0, 0, 0, 0];
    }

    private static class Accessors
    {
        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_parent")]
        public static extern ref JsonDocument? Parent(ref JsonElement element);

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_idx")]
        public static extern ref int Index(ref JsonElement element);

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_utf8Json")]
        public static extern ref ReadOnlyMemory<byte> Utf8(JsonDocument document);

        [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
        public static extern JsonElement NewElement(JsonDocument parent, int idx);
    }
}
