namespace McpPolicy.Schemas;

/// <summary>The detectors <see cref="SecretArgumentsRule"/> can run; combine them as flags.</summary>
[Flags]
public enum SecretDetectors
{
    /// <summary>No detector runs; the rule never has an opinion.</summary>
    None = 0,

    /// <summary>PEM private keys (<c>-----BEGIN ... PRIVATE KEY-----</c>), OpenSSH and PGP private key blocks, PuTTY key files.</summary>
    PrivateKeys = 1 << 0,

    /// <summary>AWS access key ids (<c>AKIA</c>/<c>ASIA</c> + 16) and 40-character secret access keys assigned to a secret-key name.</summary>
    AwsKeys = 1 << 1,

    /// <summary>GitHub tokens (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>, <c>github_pat_</c>).</summary>
    GitHubTokens = 1 << 2,

    /// <summary>GitLab personal access tokens (<c>glpat-</c>).</summary>
    GitLabTokens = 1 << 3,

    /// <summary>npm access tokens (<c>npm_</c>).</summary>
    NpmTokens = 1 << 4,

    /// <summary>Slack tokens (<c>xoxb-</c>, <c>xoxa-</c>, <c>xoxp-</c>, <c>xoxr-</c>, <c>xoxs-</c>).</summary>
    SlackTokens = 1 << 5,

    /// <summary>Stripe live secret and restricted keys (<c>sk_live_</c>, <c>rk_live_</c>).</summary>
    StripeKeys = 1 << 6,

    /// <summary>Google API keys (<c>AIza</c> + 35).</summary>
    GoogleApiKeys = 1 << 7,

    /// <summary>OpenAI-style API keys (<c>sk-</c> followed by a long random body, including <c>sk-proj-</c>).</summary>
    OpenAIKeys = 1 << 8,

    /// <summary>Anthropic API keys (<c>sk-ant-</c>).</summary>
    AnthropicKeys = 1 << 9,

    /// <summary>JSON Web Tokens: three base64url segments whose header decodes to a JSON object with <c>"alg"</c>.</summary>
    JsonWebTokens = 1 << 10,

    /// <summary>
    /// Non-trivial values assigned to secret names, in text (<c>password=</c>, <c>api_key:</c>, <c>Authorization: Bearer</c>)
    /// or as the string value of an argument property with such a name.
    /// </summary>
    CredentialAssignments = 1 << 11,

    /// <summary>URLs carrying a password in their user information (<c>scheme://user:password@host</c>).</summary>
    UrlCredentials = 1 << 12,

    /// <summary>
    /// Random-looking tokens of 20 to 256 characters: upper case, lower case and digits mixed, with Shannon entropy at or above
    /// <see cref="SecretDetectionOptions.EntropyThreshold"/>. Hexadecimal strings (UUIDs, SHA digests, git commit ids), base64 of
    /// text, digests under digest names, URL path segments and longer encoded data are deliberately not flagged.
    /// </summary>
    HighEntropyStrings = 1 << 13,

    /// <summary>Every detector (the default).</summary>
    All = PrivateKeys | AwsKeys | GitHubTokens | GitLabTokens | NpmTokens | SlackTokens | StripeKeys | GoogleApiKeys
        | OpenAIKeys | AnthropicKeys | JsonWebTokens | CredentialAssignments | UrlCredentials | HighEntropyStrings,
}
