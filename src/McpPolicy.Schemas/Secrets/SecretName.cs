namespace McpPolicy.Schemas.Secrets;

/// <summary>What a name (an argument property, or the left side of an assignment in text) says about the value it holds.</summary>
internal enum SecretName : byte
{
    /// <summary>Not a secret name.</summary>
    None = 0,

    /// <summary>password, secret, token, api_key, client_secret and the like.</summary>
    Credential,

    /// <summary>Authorization: the value may start with a scheme (Bearer, Basic, token).</summary>
    Authorization,

    /// <summary>aws_secret_access_key, SecretAccessKey.</summary>
    AwsSecretAccessKey,

    /// <summary>contentHash, sha512, integrity, checksum, etag: the value is a digest, random-looking but not a secret.</summary>
    Digest,
}
