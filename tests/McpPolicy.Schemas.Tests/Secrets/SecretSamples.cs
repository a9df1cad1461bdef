using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas.Tests.Secrets;

/// <summary>A secret planted in a test: the whole text placed in an argument, and the part that must never be echoed.</summary>
/// <param name="Name">What the sample is, for test names.</param>
/// <param name="Text">The string placed in the argument.</param>
/// <param name="Secret">The sensitive part of <paramref name="Text"/>.</param>
/// <param name="Described">The words the reason must use for it ("a GitHub token").</param>
public sealed record SecretSample(string Name, string Text, string Secret, string Described)
{
    public override string ToString() => Name;
}

/// <summary>
/// Builds secrets of every known format at run time from random bodies, so no real-looking credential is written into the
/// repository (where secret scanners would rightly object).
/// </summary>
internal static class SecretSamples
{
    public const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    public const string Base64Url = Alnum + "-_";
    public const string Base64 = Alnum + "+/";

    /// <summary>A random string over <paramref name="alphabet"/>, from a seeded generator so runs are repeatable.</summary>
    public static string Random(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    public static string Base64UrlOf(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string PemBody(Random random, int lines)
    {
        var body = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            body.Append(Convert.ToBase64String(RandomBytes(random, 48))).Append('\n');
        }

        return body.ToString();
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>One sample of each format, with bodies drawn from <paramref name="random"/>.</summary>
    public static IReadOnlyList<SecretSample> All(Random random)
    {
        string R(string alphabet, int length) => Random(random, alphabet, length);
        var samples = new List<SecretSample>();

        void Token(string name, string token, string described) => samples.Add(new SecretSample(name, token, token, described));

        var rsaBody = PemBody(random, 6);
        samples.Add(new("pem-rsa", "-----BEGIN RSA PRIVATE KEY-----\n" + rsaBody + "-----END RSA PRIVATE KEY-----\n", rsaBody.Trim(), "a private key"));
        var pkcs8 = PemBody(random, 5);
        samples.Add(new("pem-pkcs8", "-----BEGIN PRIVATE KEY-----\r\n" + pkcs8.Replace("\n", "\r\n", StringComparison.Ordinal) + "-----END PRIVATE KEY-----", pkcs8.Trim(), "a private key"));
        var ec = PemBody(random, 3);
        samples.Add(new("pem-ec", "-----BEGIN EC PRIVATE KEY-----\n" + ec + "-----END EC PRIVATE KEY-----", ec.Trim(), "a private key"));
        var encrypted = PemBody(random, 4);
        samples.Add(new("pem-encrypted-legacy", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F2A\n\n" + encrypted + "-----END RSA PRIVATE KEY-----", encrypted.Trim(), "a private key"));
        var escaped = PemBody(random, 3).Replace("\n", "\\n", StringComparison.Ordinal);
        samples.Add(new("pem-in-env-file", "PRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\\n" + escaped + "-----END PRIVATE KEY-----\"", escaped.Replace("\\n", "", StringComparison.Ordinal), "a private key"));
        var flat = Convert.ToBase64String(RandomBytes(random, 120));
        samples.Add(new("pem-flattened", "-----BEGIN PRIVATE KEY----- " + flat + " -----END PRIVATE KEY-----", flat, "a private key"));
        var openssh = PemBody(random, 5);
        samples.Add(new("openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + openssh + "-----END OPENSSH PRIVATE KEY-----\n", openssh.Trim(), "an OpenSSH private key"));
        var pgp = PemBody(random, 5);
        samples.Add(new("pgp", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n" + pgp + "=ab12\n-----END PGP PRIVATE KEY BLOCK-----", pgp.Trim(), "a PGP private key block"));
        var puttyPublic = PemBody(random, 2);
        var puttyPrivate = PemBody(random, 1);
        samples.Add(new("putty", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n" + puttyPublic + "Private-Lines: 1\n" + puttyPrivate, puttyPrivate.Trim(), "a PuTTY private key"));

        Token("aws-access-key-id", "AKIA" + R(UpperAlnum, 16), "an AWS access key id");
        Token("aws-session-key-id", "ASIA" + R(UpperAlnum, 16), "an AWS access key id");
        var awsSecret = R(Base64, 40);
        samples.Add(new("aws-secret-assignment", "aws_secret_access_key = " + awsSecret, awsSecret, "an AWS secret access key"));
        samples.Add(new("aws-secret-yaml", "SecretAccessKey: \"" + awsSecret + "\"", awsSecret, "an AWS secret access key"));

        Token("github-classic", "ghp_" + R(Alnum, 36), "a GitHub token");
        Token("github-oauth", "gho_" + R(Alnum, 36), "a GitHub token");
        Token("github-user-to-server", "ghu_" + R(Alnum, 36), "a GitHub token");
        Token("github-server-to-server", "ghs_" + R(Alnum, 36), "a GitHub token");
        Token("github-refresh", "ghr_" + R(Alnum, 36), "a GitHub token");
        Token("github-fine-grained", "github_pat_" + R(Alnum, 22) + "_" + R(Alnum, 59), "a GitHub token");
        Token("gitlab", "glpat-" + R(Base64Url, 20), "a GitLab token");
        Token("npm", "npm_" + R(Alnum, 36), "an npm token");
        Token("slack-bot", "xoxb-" + R("0123456789", 12) + "-" + R("0123456789", 13) + "-" + R(Alnum, 24), "a Slack token");
        Token("slack-user", "xoxp-" + R("0123456789", 12) + "-" + R("0123456789", 12) + "-" + R("0123456789", 13) + "-" + R("abcdef0123456789", 32), "a Slack token");
        Token("stripe-secret", "sk_live_" + R(Alnum, 24), "a Stripe live key");
        Token("stripe-restricted", "rk_live_" + R(Alnum, 99), "a Stripe live key");
        Token("google-api-key", "AIza" + R(Base64Url, 35), "a Google API key");
        Token("openai-legacy", "sk-" + R(Alnum, 48), "an OpenAI-style API key");
        Token("openai-project", "sk-proj-" + R(Base64Url, 156), "an OpenAI-style API key");
        Token("openai-hex", "sk-" + R("0123456789abcdef", 32), "an OpenAI-style API key");
        Token("anthropic", "sk-ant-api03-" + R(Base64Url, 93) + "AA", "an Anthropic API key");

        var jwt = Base64UrlOf("""{"alg":"HS256","typ":"JWT"}""") + "." + Base64UrlOf("""{"sub":"1234567890","name":"Alice","iat":1516239022}""") + "." + R(Base64Url, 43);
        Token("jwt", jwt, "a JSON Web Token");
        var spacedJwt = Base64UrlOf("""{ "typ": "JWT", "alg" : "RS256" }""") + "." + Base64UrlOf("""{"scope":"admin"}""") + "." + R(Base64Url, 342);
        Token("jwt-rs256", spacedJwt, "a JSON Web Token");

        var password = "Tr0ub4dor!" + R(Alnum, 6);
        samples.Add(new("env-password", "DB_PASSWORD=" + password, password, "a password or secret assignment"));
        samples.Add(new("cli-password", "mysql --user=root --password=" + password + " app", password, "a password or secret assignment"));
        samples.Add(new("yaml-client-secret", "client_secret: " + password, password, "a password or secret assignment"));
        samples.Add(new("json-text-api-key", "{\"apiKey\": \"" + password + "\"}", password, "a password or secret assignment"));
        samples.Add(new("query-access-token", "https://api.example.com/v1/items?access_token=" + password + "&limit=5", password, "a password or secret assignment"));
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("deploy:" + R(Alnum, 12)));
        samples.Add(new("authorization-basic", "Authorization: Basic " + basic, basic, "a password or secret assignment"));
        var bearer = R(Alnum, 14) + "." + R(Alnum, 6);
        samples.Add(new("authorization-bearer", "curl -H \"Authorization: Bearer " + bearer + "\" https://api.example.com", bearer, "a password or secret assignment"));
        var urlPassword = "S3cr3t" + R(Alnum, 6);
        samples.Add(new("url-password", "postgres://admin:" + urlPassword + "@db.internal:5432/app", urlPassword, "a URL with an embedded password"));
        samples.Add(new("url-password-no-user", "redis://:" + urlPassword + "@cache:6379/0", urlPassword, "a URL with an embedded password"));

        var random40 = RandomKey(random, 40);
        samples.Add(new("high-entropy", random40, random40, "a high-entropy secret"));
        var random64 = RandomKey(random, 64);
        samples.Add(new("high-entropy-base64url", random64, random64, "a high-entropy secret"));
        return samples;
    }

    /// <summary>A random base62 key that reaches the default entropy threshold (redrawn until it does, which is almost always).</summary>
    public static string RandomKey(Random random, int length)
    {
        var rule = Rule(o => o.Detectors = SecretDetectors.HighEntropyStrings);
        while (true)
        {
            var key = Random(random, Alnum, length);
            if (rule.Evaluate(Call(new Dictionary<string, object?> { ["v"] = key })).HasOpinion)
            {
                return key;
            }
        }
    }

    public static SecretArgumentsRule Rule(Action<SecretDetectionOptions>? configure = null)
    {
        var options = new SecretDetectionOptions();
        configure?.Invoke(options);
        return new SecretArgumentsRule(Options.Create(options));
    }

    /// <summary>A call whose arguments are <paramref name="arguments"/> serialized with the default (escaping) encoder.</summary>
    public static ToolInvocationContext Call(object arguments, string server = "srv", string tool = "tool")
        => new(server, tool, ToolArguments.FromJson(JsonSerializer.SerializeToElement(arguments)));

    /// <summary>A call parsed from JSON text (strings stay unescaped where the text has them plain).</summary>
    public static ToolInvocationContext Parsed(string json, string server = "srv", string tool = "tool")
        => new(server, tool, ToolArguments.Parse(json));

    /// <summary>True when <paramref name="reason"/> contains any run of five or more characters of <paramref name="secret"/>.</summary>
    public static bool Echoes(string reason, string secret)
    {
        for (var i = 0; i + 5 <= secret.Length; i++)
        {
            if (reason.Contains(secret.AsSpan(i, 5), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
