namespace McpPolicy.Schemas;

/// <summary>The stable ids of the findings <see cref="ToolDefinitionScanner"/> reports (see docs/scanning.md for what each detects).</summary>
public static class DefinitionFindingIds
{
    /// <summary>Unicode tag characters (U+E0000–U+E007F), which render as nothing and can spell out hidden ASCII text. Critical.</summary>
    public const string HiddenTag = "hidden-unicode.tag";

    /// <summary>Bidirectional controls (embeddings, overrides, isolates, marks) that reorder or hide text. High.</summary>
    public const string HiddenBidi = "hidden-unicode.bidi";

    /// <summary>Zero-width and other invisible characters (zero-width space, word joiner, BOM, fillers, invisible operators). High; a lone zero-width joiner or non-joiner is Medium.</summary>
    public const string HiddenZeroWidth = "hidden-unicode.zero-width";

    /// <summary>Variation selectors used to smuggle bytes (U+E0100–U+E01EF, or runs of U+FE00–U+FE0F). High.</summary>
    public const string HiddenVariationSelector = "hidden-unicode.variation-selector";

    /// <summary>C0 or C1 control characters other than tab, line feed and carriage return. High.</summary>
    public const string ControlCharacter = "hidden-unicode.control";

    /// <summary>ANSI/VT escape sequences (CSI, OSC, ESC) that can hide or rewrite text on a terminal. High.</summary>
    public const string AnsiEscape = "escape-sequence.ansi";

    /// <summary>HTML comments, which most renderers hide from people but models read. High.</summary>
    public const string HtmlComment = "markup.html-comment";

    /// <summary>Markup that hides text or runs code (display:none, visibility:hidden, zero font size, script, iframe, style). High.</summary>
    public const string HiddenMarkup = "markup.hidden-element";

    /// <summary>A remote image in Markdown or HTML, a classic exfiltration channel through its URL. Medium.</summary>
    public const string RemoteImage = "markup.remote-image";

    /// <summary>Instructions to ignore, override or replace earlier instructions. High.</summary>
    public const string InstructionOverride = "instruction.override";

    /// <summary>Instructions to keep something from the user (do not tell the user, without informing, secretly). High.</summary>
    public const string InstructionConcealment = "instruction.concealment";

    /// <summary>Instructions to do something first (before using this tool read …, you must first call …). High.</summary>
    public const string InstructionPrecondition = "instruction.precondition";

    /// <summary>A pseudo-system block addressed to the model (&lt;IMPORTANT&gt;, &lt;system&gt;, [INST], &lt;|im_start|&gt;). High.</summary>
    public const string InstructionTagBlock = "instruction.tag-block";

    /// <summary>Instructions about other tools or other recipients (all other tools, side effect on, send all … to). High.</summary>
    public const string InstructionToolRedirect = "instruction.tool-redirect";

    /// <summary>Text that addresses the model directly (you must, the assistant, as an AI). Medium.</summary>
    public const string InstructionModelAddressed = "instruction.model-addressed";

    /// <summary>A reference to a file that holds secrets (~/.ssh, id_rsa, .env, .aws/credentials, mcp.json, /etc/passwd). High.</summary>
    public const string SensitiveFile = "secret-reference.sensitive-file";

    /// <summary>A reference to credentials (password, API key, access token, private key, seed phrase). Medium; private keys and seed phrases High.</summary>
    public const string CredentialReference = "secret-reference.credential";

    /// <summary>A base64 run of 40 or more characters; High when it decodes to readable text. Medium.</summary>
    public const string Base64Blob = "encoded-blob.base64";

    /// <summary>A hexadecimal run of 32 or more digits; High when it decodes to readable text. Medium.</summary>
    public const string HexBlob = "encoded-blob.hex";

    /// <summary>A free-text parameter the description asks the model to fill with other data (the conversation, a file, keys). High.</summary>
    public const string ExfiltrationParameter = "exfiltration.parameter";

    /// <summary>A free-text parameter shaped like a side channel (callback_url, webhook, sidenote) with no format, pattern or enum. Medium.</summary>
    public const string CallbackParameter = "exfiltration.callback-parameter";

    /// <summary>A tool name that is not 1–128 characters of [A-Za-z0-9_.-]. Medium; High when it holds non-ASCII or control characters.</summary>
    public const string InvalidName = "name.invalid";

    /// <summary>The same tool name on two servers of one catalog. High.</summary>
    public const string DuplicateName = "shadowing.duplicate-name";

    /// <summary>A tool's text names a tool of another server of the catalog. High.</summary>
    public const string CrossServerReference = "shadowing.cross-server-reference";

    /// <summary>Two different tool names that look alike (case, homoglyphs, separators). High.</summary>
    public const string ConfusableName = "shadowing.confusable-name";

    /// <summary>Tool names on different servers one or two edits apart. Medium.</summary>
    public const string NearDuplicateName = "shadowing.near-duplicate";

    /// <summary>A tool definition that is not a JSON object with a string name. High.</summary>
    public const string InvalidDefinition = "definition.invalid";

    /// <summary>A definition too deep or too large to scan completely; the rest is not vouched for. High.</summary>
    public const string ScanLimit = "scan.limit";
}
