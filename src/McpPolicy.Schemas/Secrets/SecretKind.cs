namespace McpPolicy.Schemas.Secrets;

/// <summary>What a scan found. Each kind belongs to one <see cref="SecretDetectors"/> flag.</summary>
internal enum SecretKind : byte
{
    None = 0,
    PemPrivateKey,
    OpenSshPrivateKey,
    PgpPrivateKey,
    PuttyPrivateKey,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GitHubToken,
    GitLabToken,
    NpmToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    OpenAIKey,
    AnthropicKey,
    JsonWebToken,
    CredentialAssignment,
    UrlCredentials,
    HighEntropyString,

    /// <summary>More text than the scan budget allows: treated as if it held a secret.</summary>
    TooLarge,

    /// <summary>Nested deeper than the scan allows: treated as if it held a secret.</summary>
    TooDeep,
}

/// <summary>Names of <see cref="SecretKind"/> values for reasons.</summary>
internal static class SecretKinds
{
    /// <summary>What the value looks like, completing "looks like ...".</summary>
    public static string Describe(SecretKind kind) => kind switch
    {
        SecretKind.PemPrivateKey => "a private key",
        SecretKind.OpenSshPrivateKey => "an OpenSSH private key",
        SecretKind.PgpPrivateKey => "a PGP private key block",
        SecretKind.PuttyPrivateKey => "a PuTTY private key",
        SecretKind.AwsAccessKeyId => "an AWS access key id",
        SecretKind.AwsSecretAccessKey => "an AWS secret access key",
        SecretKind.GitHubToken => "a GitHub token",
        SecretKind.GitLabToken => "a GitLab token",
        SecretKind.NpmToken => "an npm token",
        SecretKind.SlackToken => "a Slack token",
        SecretKind.StripeKey => "a Stripe live key",
        SecretKind.GoogleApiKey => "a Google API key",
        SecretKind.OpenAIKey => "an OpenAI-style API key",
        SecretKind.AnthropicKey => "an Anthropic API key",
        SecretKind.JsonWebToken => "a JSON Web Token",
        SecretKind.CredentialAssignment => "a password or secret assignment",
        SecretKind.UrlCredentials => "a URL with an embedded password",
        SecretKind.HighEntropyString => "a high-entropy secret",
        _ => "a secret",
    };
}
