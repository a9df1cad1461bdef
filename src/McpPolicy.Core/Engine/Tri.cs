namespace McpPolicy.Engine;

/// <summary>Three-valued result of a condition: a value of the wrong type makes a condition <see cref="Unknown"/>.</summary>
internal enum Tri : byte
{
    False = 0,
    True = 1,
    Unknown = 2,
}
