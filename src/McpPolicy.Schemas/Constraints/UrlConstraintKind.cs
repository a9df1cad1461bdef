using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// The <c>url</c> typed constraint: <c>{ "schemes": ["https"], "allowHosts": [...], "denyHosts": [...], "allowPrivate": false, "ports": [443] }</c>.
/// See <see cref="UrlCheck"/> for what a value must satisfy.
/// </summary>
internal sealed class UrlConstraintKind : IArgumentConstraintKind
{
    private static readonly string[] Keys = ["schemes", "allowHosts", "denyHosts", "allowPrivate", "ports"];

    public string Name => "url";

    public IArgumentCheck Compile(JsonElement settings)
    {
        var reader = new ConstraintSettingsReader();
        var values = reader.ReadObject(settings, Name, Keys);
        UrlCheck? check = null;
        if (values is not null)
        {
            var parsed = new UrlConstraintSettings(
                reader.ReadStringList(values, "schemes") ?? ["https"],
                reader.ReadStringList(values, "allowHosts"),
                reader.ReadStringList(values, "denyHosts") ?? [],
                reader.ReadBool(values, "allowPrivate") ?? false,
                reader.ReadIntList(values, "ports", 1, 65535));
            check = reader.HasErrors ? null : UrlCheck.Compile(parsed, reader);
        }

        reader.ThrowIfErrors();
        return check!;
    }
}
