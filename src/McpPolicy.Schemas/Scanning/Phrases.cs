using System.Buffers;
using System.Collections.Frozen;

namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// The phrases the instruction and secret detectors look for, in normalized form (see <see cref="NormalizedText"/>): lower case, words
/// separated by one space, apostrophes dropped, padded with a space on each side so that they match whole words only. Each set is one
/// <see cref="SearchValues{T}"/>, so a string is searched for all phrases of a set in one linear pass.
/// </summary>
internal static class Phrases
{
    /// <summary>Instructions to drop earlier instructions: a verb, optionally a determiner, a qualifier and what is dropped.</summary>
    public static readonly PhraseSet Override = new(Build(
        Combine(["ignore", "disregard", "forget", "override", "bypass", "overrule"],
                ["", "all", "any", "the", "your", "all the", "all of the", "all your", "every"],
                ["previous", "prior", "above", "earlier", "preceding", "system", "original", "safety", "security"],
                ["instructions", "instruction", "rules", "guidelines", "prompts", "prompt", "directions", "directives", "commands", "messages", "policies", "policy", "restrictions", "guardrails", "constraints"]),
        Combine(["ignore", "disregard", "forget", "override", "bypass", "overrule"],
                ["all", "any", "your", "all your", "all of your", "every"],
                [""],
                ["instructions", "instruction", "prompts", "guidelines", "directives", "guardrails"]),
        ["system override", "from now on you", "do anything now", "instead of following", "these instructions override", "this instruction overrides",
         "the user has authorized you", "the user has already authorized", "the user already approved", "no need to ask the user", "do not ask the user",
         "dont ask the user", "never ask the user", "do not ask for confirmation", "dont ask for confirmation", "never ask for confirmation"]));

    /// <summary>Phrases that often come with overriding instructions but also occur in honest text.</summary>
    public static readonly PhraseSet OverrideWeak = new(Build(
        ["new instructions", "updated instructions", "you are now", "developer mode", "jailbreak", "takes precedence over", "take precedence over",
         "higher priority than", "without asking the user", "without asking for confirmation"]));

    public static readonly PhraseSet Concealment = new(Build(
        Combine(["do not", "dont", "never", "must not", "should not", "shouldnt", "mustnt", "do not ever", "you must not", "you should not"],
                ["tell", "inform", "notify", "mention", "reveal", "show", "disclose", "alert", "explain", "report", "warn"],
                ["", "to"],
                ["the user", "users", "the human", "anyone", "the person", "the operator"]),
        ["without telling", "without informing", "without notifying", "without alerting", "without the user knowing", "without the users knowledge",
         "without user knowledge", "without user consent", "without their knowledge", "hide this from", "hidden from the user", "hide it from",
         "keep this secret", "keep this hidden", "keep it secret", "keep it hidden", "keep this confidential", "the user must not know",
         "the user must not see", "the user must not be told", "the user should not know", "the user will not notice", "user wont notice",
         "not visible to the user", "do not mention this", "dont mention this", "never mention this", "do not mention that", "dont mention that",
         "never mention that", "do not mention it", "dont mention it", "secretly", "covertly", "surreptitiously", "the user cannot see",
         "the user can not see", "the user does not need to know", "the user doesnt need to know", "invisible to the user"]));

    public static readonly PhraseSet Precondition = new(Build(
        Combine(["before", "prior to"],
                ["using", "calling", "invoking", "running", "executing", "you use", "you call", "you invoke", "you run", "any use of"],
                ["", "this", "the", "any", "any other", "this function", "the function"],
                ["", "tool", "function", "command", "tools"]).Where(p => !p.EndsWith(" using", StringComparison.Ordinal) && !p.EndsWith(" calling", StringComparison.Ordinal)),
        ["you must first", "you need to first", "you have to first", "first you must", "must first read", "must first call", "make sure to read",
         "make sure you read", "be sure to read", "pass its content", "pass their content", "pass the content of", "pass the contents of",
         "otherwise the tool will not work", "otherwise the tool will fail", "or the tool will not work", "the tool will not work unless",
         "this tool will not work unless", "required before using", "mandatory before"]));

    /// <summary>Phrases that ask for a step first but also occur in honest usage notes.</summary>
    public static readonly PhraseSet PreconditionWeak = new(Build(
        ["first read the", "first call the", "always call", "always read", "always first", "you must always", "must always be called", "must always call",
         "make sure to call", "make sure you call", "be sure to call"]));

    public static readonly PhraseSet ToolRedirect = new(Build(
        ["all other tools", "any other tool", "every other tool", "side effect on", "side effects on", "also present", "must be redirected to",
         "redirect every", "forward every", "bcc all", "instead of the user", "regardless of what the user", "regardless of the user",
         "change the recipient", "replace the recipient", "the recipient must be", "the recipient should be", "the recipient is always",
         "use the following recipient"]));

    /// <summary>Mentions of other tools and of where things go, which honest descriptions make too.</summary>
    public static readonly PhraseSet ToolMention = new(Build(
        ["all tools", "any tool", "every tool", "another tool", "other tools", "other functions", "other servers", "another server", "when calling the",
         "whenever you call", "whenever you use", "each time you call", "each time you use", "every time you call", "every time you use", "must be sent to",
         "must be forwarded to", "redirect all", "send all", "forward all", "forward a copy", "send a copy", "this tool replaces", "instead of using the"]));

    public static readonly PhraseSet ModelAddressed = new(Build(
        ["you must", "you should always", "you are required", "must always", "always include", "as an ai", "ai assistant",
         "the assistant", "assistant must", "the model", "language model", "llm", "dear ai", "note to the ai", "note to ai", "attention ai", "hey claude",
         "claude", "chatgpt", "gpt 4", "gemini", "copilot", "this is very important", "very important", "extremely important", "critical instruction"]));

    public static readonly PhraseSet Credential = new(Build(
        ["password", "passwords", "passphrase", "api key", "api keys", "apikey", "api token", "api tokens", "access token", "access tokens", "access key",
         "access keys", "secret key", "secret keys", "auth token", "bearer token", "session token", "refresh token", "oauth token", "credentials",
         "credential", "client secret", "session cookie", "session cookies", "mnemonic", "2fa code", "otp code", "one time password", "recovery code",
         "recovery codes", "aws secret", "github token", "openai key", "slack token", "secrets", "environment variables", "env vars", "env variables",
         "system prompt", "conversation history", "chat history", "entire conversation", "full conversation", "whole conversation", "previous messages"]));

    public static readonly PhraseSet CredentialHigh = new(Build(
        ["private key", "private keys", "ssh key", "ssh keys", "seed phrase", "seed phrases", "recovery phrase", "wallet seed", "secret recovery phrase"]));

    /// <summary>Sensitive file names and paths, matched case-insensitively on the raw text.</summary>
    public static readonly SearchValues<string> SensitiveFiles = SearchValues.Create(
        ["~/.ssh", ".ssh/", "/.ssh", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "authorized_keys", ".aws/credentials", ".aws/config", ".netrc", ".npmrc",
         ".pypirc", ".git-credentials", ".docker/config.json", ".kube/config", "/etc/passwd", "/etc/shadow", "/etc/sudoers", "mcp.json", "claude_desktop_config",
         ".cursor/mcp", ".bash_history", ".zsh_history", "wallet.dat", ".gnupg", "keychain", "credentials.json", "secrets.json", "secrets.yaml", ".env",
         "login data", "cookies.sqlite", ".vault-token", "service-account.json", "private.pem", "privkey.pem", "server.key", ".p12", ".pfx", "%userprofile%\\.ssh",
         "$home/.ssh", "${home}/.ssh"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Markup that hides text or runs code, matched case-insensitively on the raw text.</summary>
    public static readonly SearchValues<string> HiddenMarkup = SearchValues.Create(
        ["display:none", "display: none", "visibility:hidden", "visibility: hidden", "font-size:0", "font-size: 0", "font-size:1px", "opacity:0", "opacity: 0",
         "color:white", "color: white", "color:#fff", "color: #fff", "<script", "<iframe", "<style", "<object", "<embed", "<noscript", "<template",
         "aria-hidden", "<span hidden", "<div hidden", "<p hidden", "hidden=\"", "[hidden]", "<!doctype", "<meta ", "javascript:"],
        StringComparison.OrdinalIgnoreCase);

    public static readonly SearchValues<string> RemoteImage = SearchValues.Create(["](http", "](//", "<img", "![]("], StringComparison.OrdinalIgnoreCase);

    /// <summary>Words that, after '&lt;' or '[', open a pseudo-system block.</summary>
    public static readonly FrozenSet<string> BlockTags = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        ["important", "system", "sys", "instruction", "instructions", "inst", "hidden", "secret", "admin", "critical", "override", "prompt", "assistant",
         "im_start", "im_end", "endoftext", "start_of_turn", "end_of_turn", "developer", "priority", "mandatory", "urgent", "system_prompt", "sysprompt",
         "ai_instructions", "model_instructions", "tool_instructions", "begin_instructions", "note_to_ai", "confidential"]);

    /// <summary>Verbs that ask the model to put something into a value.</summary>
    public static readonly FrozenSet<string> FillVerbs = FrozenSet.Create(StringComparer.Ordinal,
        ["include", "includes", "including", "pass", "put", "provide", "fill", "copy", "paste", "add", "insert", "send", "attach", "append", "supply",
         "enter", "place", "write", "embed", "dump", "forward", "upload", "store", "summarize", "summarise", "list", "concatenate", "transmit", "share"]);

    /// <summary>What a parameter should not be asked to carry: one word.</summary>
    public static readonly FrozenSet<string> FillObjects = FrozenSet.Create(StringComparer.Ordinal,
        ["conversation", "conversations", "transcript", "everything", "ssh", "env", "dotenv", "idrsa", "secrets", "cookies", "mnemonic"]);

    /// <summary>What a parameter should not be asked to carry: two words.</summary>
    public static readonly FrozenSet<string> FillObjectPairs = FrozenSet.Create(StringComparer.Ordinal,
        ["chat history", "conversation history", "message history", "system prompt", "your prompt", "full prompt", "your instructions", "system instructions",
         "previous instructions", "previous messages", "prior messages", "earlier messages", "previous conversation", "previous results", "previous outputs",
         "other tools", "tool results", "tool outputs", "tool output", "other data", "other information", "any information", "additional context",
         "user data", "personal data", "personal information", "all messages", "all emails", "all files",
         "all contacts", "all data", "api key", "api keys", "private key", "private keys", "access token", "access tokens", "id rsa", "mcp json",
         "env file", "home directory", "environment variables", "users emails", "users messages", "users files", "users contacts", "users data",
         "the context", "entire context", "full context", "session cookie", "auth token", "bearer token", "seed phrase"]);

    /// <summary>Name words of parameters shaped like a side channel.</summary>
    public static readonly FrozenSet<string> CallbackWords = FrozenSet.Create(StringComparer.Ordinal,
        ["callback", "webhook", "hook", "exfil", "beacon", "sidenote", "postback", "ping", "notify", "notification", "telemetry", "collector", "tracking", "tracker"]);

    private static IEnumerable<string> Combine(string[] a, string[] b, string[] c, string[] d)
    {
        foreach (var w in a)
        {
            foreach (var x in b)
            {
                foreach (var y in c)
                {
                    foreach (var z in d)
                    {
                        yield return string.Join(' ', new[] { w, x, y, z }.Where(s => s.Length > 0));
                    }
                }
            }
        }
    }

    private static string[] Build(params IEnumerable<string>[] parts) =>
        parts.SelectMany(p => p).Select(p => " " + p + " ").Distinct(StringComparer.Ordinal).ToArray();
}

/// <summary>One set of normalized phrases, searchable in one pass.</summary>
internal sealed class PhraseSet
{
    private readonly string[] _phrases;
    private readonly SearchValues<string> _values;

    public PhraseSet(string[] phrases)
    {
        _phrases = phrases;
        _values = SearchValues.Create(phrases, StringComparison.Ordinal);
    }

    /// <summary>Finds the first phrase in <paramref name="normalized"/>: its index (at the leading space) and length, or -1.</summary>
    public int Find(ReadOnlySpan<char> normalized, out int length)
    {
        var index = normalized.IndexOfAny(_values);
        length = 0;
        if (index < 0)
        {
            return -1;
        }

        var rest = normalized[index..];
        foreach (var phrase in _phrases)
        {
            if (phrase.Length > length && rest.StartsWith(phrase, StringComparison.Ordinal))
            {
                length = phrase.Length;
            }
        }

        return index;
    }
}
