using System.Runtime.CompilerServices;
using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>One compiled constraint attribute of a tool.</summary>
/// <param name="Attribute">The attribute it came from.</param>
/// <param name="Check">The compiled check.</param>
internal sealed record ArgumentConstraint(IArgumentConstraintAttribute Attribute, IArgumentCheck Check)
{
    /// <summary>The denial rule id, such as <c>attribute:AllowedPaths</c> (like Core's <c>attribute:ToolRisk</c>).</summary>
    public string RuleId { get; } = "attribute:" + Attribute.ConstraintName;

    /// <summary>The denial message: names the argument, the attribute and what it requires.</summary>
    public string Message { get; } = $"argument '{Attribute.Argument}' is outside what [{Attribute.ConstraintName}] allows ({Check.Description})";
}

/// <summary>
/// The constraint attributes of one tool, compiled once per <see cref="ToolDescriptor"/> and cached for the descriptor's
/// lifetime. The effective attributes are the last of each kind for each argument in the metadata, so a method's
/// attribute replaces its class's (the SDK lists class attributes first).
/// </summary>
internal sealed class ToolArgumentConstraints
{
    private static readonly ConditionalWeakTable<ToolDescriptor, ToolArgumentConstraints> Cache = new();

    private ToolArgumentConstraints(ArgumentConstraint[] constraints, string? error)
    {
        Constraints = constraints;
        Error = error;
    }

    public static ToolArgumentConstraints None { get; } = new([], null);

    public ArgumentConstraint[] Constraints { get; }

    /// <summary>Why the attributes could not be compiled; a tool with invalid attributes is never run.</summary>
    public string? Error { get; }

    public static ToolArgumentConstraints For(ToolDescriptor tool)
    {
        if (Cache.TryGetValue(tool, out var cached))
        {
            return cached;
        }

        return Cache.GetValue(tool, static t =>
        {
            try
            {
                return Compile(t.Metadata);
            }
            catch (InvalidOperationException ex)
            {
                return new ToolArgumentConstraints([], ex.Message);
            }
        });
    }

    /// <summary>Compiles the effective constraint attributes in <paramref name="metadata"/>.</summary>
    /// <exception cref="InvalidOperationException">An attribute is invalid.</exception>
    public static ToolArgumentConstraints Compile(IReadOnlyList<object> metadata)
    {
        var effective = new List<IArgumentConstraintAttribute>();
        foreach (var item in metadata)
        {
            if (item is not IArgumentConstraintAttribute attribute)
            {
                continue;
            }

            var existing = effective.FindIndex(a => a.GetType() == attribute.GetType() && string.Equals(a.Argument, attribute.Argument, StringComparison.Ordinal));
            if (existing >= 0)
            {
                effective[existing] = attribute;
            }
            else
            {
                effective.Add(attribute);
            }
        }

        return effective.Count == 0 ? None : new ToolArgumentConstraints(effective.Select(a => new ArgumentConstraint(a, a.Compile())).ToArray(), null);
    }

    /// <summary>The first constraint the arguments violate, or null. An absent argument is not checked; each element of an array is.</summary>
    public ArgumentConstraint? FindViolation(ToolArguments arguments)
    {
        foreach (var constraint in Constraints)
        {
            if (!arguments.TryResolve(constraint.Attribute.Argument, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in value.EnumerateArray())
                {
                    if (!Holds(constraint.Check, element))
                    {
                        return constraint;
                    }
                }
            }
            else if (!Holds(constraint.Check, value))
            {
                return constraint;
            }
        }

        return null;
    }

    private static bool Holds(IArgumentCheck check, JsonElement value)
    {
        try
        {
            // Null (a value of a type the check cannot judge) counts against the caller, as in the policy.
            return check.Check(value) == true;
        }
#pragma warning disable CA1031 // A check that fails counts against the caller, as in the policy.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
