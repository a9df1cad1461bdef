using System.Text;

namespace McpPolicy.Schemas.Scanning;

/// <summary>The path of the value being scanned, as a stack of JSON Pointer segments; the pointer text is built only for findings.</summary>
internal sealed class PointerPath
{
    private readonly List<string> _segments = [];

    public int Depth => _segments.Count;

    public void Push(string segment) => _segments.Add(segment);

    public void Push(int index) => _segments.Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public void Clear() => _segments.Clear();

    /// <summary>The RFC 6901 pointer of the current value.</summary>
    public override string ToString()
    {
        if (_segments.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var segment in _segments)
        {
            builder.Append('/');
            foreach (var c in segment)
            {
                _ = c switch
                {
                    '~' => builder.Append("~0"),
                    '/' => builder.Append("~1"),
                    _ => builder.Append(c),
                };
            }
        }

        return builder.ToString();
    }
}
