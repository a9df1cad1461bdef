using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// The <c>commandLine</c> typed constraint: <c>{ "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c"], "shell": true }</c>.
/// See <see cref="CommandLineCheck"/> for what a value must satisfy.
/// </summary>
internal sealed class CommandLineConstraintKind : IArgumentConstraintKind
{
    private static readonly string[] Keys = ["allow", "denyFlags", "shell"];

    public string Name => "commandLine";

    public IArgumentCheck Compile(JsonElement settings)
    {
        var reader = new ConstraintSettingsReader();
        var values = reader.ReadObject(settings, Name, Keys);
        CommandLineCheck? check = null;
        if (values is not null)
        {
            var parsed = new CommandLineConstraintSettings(
                reader.ReadStringList(values, "allow"),
                reader.ReadStringList(values, "denyFlags") ?? [],
                reader.ReadBool(values, "shell") ?? true);
            check = reader.HasErrors ? null : CommandLineCheck.Compile(parsed, reader);
        }

        reader.ThrowIfErrors();
        return check!;
    }
}
