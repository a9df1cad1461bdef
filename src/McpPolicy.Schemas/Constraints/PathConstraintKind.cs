using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// The <c>path</c> typed constraint: <c>{ "allow": [globs], "deny": [globs], "root": "/srv", "followSymlinks": true }</c>.
/// See <see cref="PathCheck"/> for what a value must satisfy.
/// </summary>
internal sealed class PathConstraintKind : IArgumentConstraintKind
{
    private static readonly string[] Keys = ["allow", "deny", "root", "followSymlinks"];

    private readonly PathPlatform _platform;

    public PathConstraintKind()
        : this(PathPlatform.Current)
    {
    }

    internal PathConstraintKind(PathPlatform platform)
    {
        _platform = platform;
    }

    public string Name => "path";

    public IArgumentCheck Compile(JsonElement settings)
    {
        var reader = new ConstraintSettingsReader();
        var values = reader.ReadObject(settings, Name, Keys);
        PathCheck? check = null;
        if (values is not null)
        {
            var parsed = new PathConstraintSettings(
                reader.ReadStringList(values, "allow"),
                reader.ReadStringList(values, "deny") ?? [],
                reader.ReadString(values, "root"),
                reader.ReadBool(values, "followSymlinks") ?? true);
            check = reader.HasErrors ? null : PathCheck.Compile(parsed, _platform, reader);
        }

        reader.ThrowIfErrors();
        return check!;
    }
}
