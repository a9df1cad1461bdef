namespace McpPolicy.Schemas.Constraints;

/// <summary>Turns the collected settings errors of a constraint attribute into one exception naming the attribute.</summary>
internal static class AttributeCompiler
{
    public static IArgumentCheck Compile(IArgumentConstraintAttribute attribute, Func<ConstraintSettingsReader, IArgumentCheck?> compile)
    {
        var reader = new ConstraintSettingsReader();
        IArgumentCheck? check = null;
        if (string.IsNullOrEmpty(attribute.Argument))
        {
            reader.Error("$", "the argument name is empty");
        }
        else if (attribute.Argument[0] == '/' && !IsPointer(attribute.Argument))
        {
            reader.Error("$", $"'{attribute.Argument}' is not a valid JSON Pointer ('~' must be followed by 0 or 1, and '/' alone names nothing)");
        }
        else
        {
            check = compile(reader);
        }

        try
        {
            reader.ThrowIfErrors();
        }
        catch (PolicyValidationException ex)
        {
            var problems = string.Join("; ", ex.Errors.Select(e => e.Path is "$" ? e.Message : e.Path.TrimStart('$', '.') + ": " + e.Message));
            throw new InvalidOperationException($"[{attribute.ConstraintName}] on argument '{attribute.Argument}' is invalid: {problems}.", ex);
        }

        return check!;
    }

    private static bool IsPointer(string pointer)
    {
        if (pointer.Length == 1)
        {
            return false;
        }

        for (var i = 0; i < pointer.Length; i++)
        {
            if (pointer[i] == '~' && (i + 1 >= pointer.Length || pointer[i + 1] is not ('0' or '1')))
            {
                return false;
            }
        }

        return true;
    }
}
