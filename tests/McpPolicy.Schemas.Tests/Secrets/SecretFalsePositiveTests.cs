using System.Text;
using System.Text.Json.Nodes;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

/// <summary>Ordinary arguments that must not look like secrets.</summary>
public sealed class SecretFalsePositiveTests
{
    private static readonly SecretArgumentsRule DefaultRule = Rule();

    private static readonly System.Text.Json.JsonSerializerOptions PlainJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> OrdinaryText => new(
        // Prose, including the words a secret scanner keys on.
        "The quick brown fox jumps over the lazy dog.",
        "Reset your password from the settings page; the token expires in 24 hours and the secret question is optional.",
        "Your password: must be at least 12 characters long.",
        "Never share your API key or private key with anyone, including support staff.",
        "SyntaxError: Unexpected token '<' in JSON at position 0",
        "Authentication failed: invalid token. Please sign in again.",
        "Meeting notes 2024-01-15: Q3 revenue up 12%, hiring plan approved, next sync Thursday at 10:30.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.",
        "Schlüssel, Passwörter und Geheimnisse gehören nicht in Chatnachrichten. 日本語のテキストも大丈夫です。",
        // Paths.
        "/usr/local/lib/python3.11/site-packages/numpy/core/__init__.py",
        "C:\\Users\\JohnDoe\\AppData\\Local\\Temp\\build_2024_01_15\\output.log",
        "~/projects/McpPolicy/src/McpPolicy.Schemas/Secrets/SecretArgumentsRule.cs",
        "./node_modules/@types/node/index.d.ts",
        "/home/alice/.ssh/id_ed25519.pub",
        "/etc/passwd",
        "src/Components/UserProfile/UserProfileSettingsPanel2024.tsx",
        "/Users/JohnDoe/Projects/App2024/Sources/Main/AppDelegate.swift",
        // URLs without credentials.
        "https://github.com/dotnet/runtime/blob/9d5a6a9aa463d6d10b0b0ba6d5982cc82f363dc3/src/libraries/System.Text.Json/src/System/Text/Json/Document/JsonElement.cs",
        "https://www.example.com/search?q=secret+santa+ideas&page=2&sort=relevance",
        "https://api.openai.com/v1/chat/completions",
        "https://user@example.com/path/to/resource",
        "https://medium.com/@someone/how-we-rotated-every-token-in-a-weekend-2f1c3b4a5d6e",
        "https://learn.microsoft.com/en-us/dotnet/api/system.text.json.jsonelement?view=net-10.0#methods",
        "https://[2001:db8::1]:8443/health",
        "postgres://user:password@localhost:5432/app",
        "mongodb://admin:<password>@cluster0.example.mongodb.net/test",
        "https://youtu.be/dQw4w9WgXcQ?t=42",
        "https://docs.google.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/edit",
        // Identifiers: UUIDs, digests, commits, short hex.
        "550e8400-e29b-41d4-a716-446655440000",
        "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
        "{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "d41d8cd98f00b204e9800998ecf8427e",
        "deadbeef",
        "0x7fffffffffffffff",
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
        // Base64 of short text and of JSON.
        "aGVsbG8gd29ybGQ=",
        "SGVsbG8sIFdvcmxkISBIb3cgYXJlIHlvdT8=",
        "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZw==",
        "eyJ1c2VyIjoiYWxpY2UiLCJyb2xlIjoiYWRtaW4ifQ==",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        // Code snippets.
        "var token = await GetAccessTokenAsync(cancellationToken);",
        "const apiKey = process.env.OPENAI_API_KEY;",
        "const token = localStorage.getItem('authToken');",
        "password: string;",
        "password: userPass[2],",
        "// PuTTY-User-Key-File-2: ssh-rsa is the first line of a .ppk file",
        "contentHash: UOJqcdNMoFcV/5RUcOlVKq9pPmbrcmbpLx5iYz9QtrmMcWRQzlL5Q/NZRfbPPLNyIEc1HWjjs5Z7nIwqewU1sg==",
        "\"integrity\": \"z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"",
        "ETag: 'Xq90uDyhddC53KsoASYJGX4k'",
        "var length = reader.GetRawUtf8PropertyName(property).Length + ConvertToUtf32OrSelf(text, i, out var width);",
        "X509Certificate2Collection certificates = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, false);",
        "if (line.StartsWith(\"-----BEGIN RSA PRIVATE KEY-----\")) { return ParsePem(line); }",
        "Authorization: Bearer ${GITHUB_TOKEN}",
        "password = \"${DB_PASSWORD}\"",
        "\"password\": \"<your-password>\"",
        "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "api_key = \"YOUR_API_KEY_HERE\"",
        "token = os.environ[\"TOKEN\"]",
        "secret := viper.GetString(\"secret\")",
        "if (token == null || password != confirmPassword) return;",
        "services.AddHttpClient<IGitHubClient, GitHubClient>(c => c.BaseAddress = new Uri(\"https://api.github.com/\"));",
        "System.Private.CoreLib, Version=10.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e",
        "public sealed class NativeM68KMemoryOperandValue : IEquatable<NativeM68KMemoryOperandValue>",
        "getUserAccountSettingsForOrganization2(orgId, includeDisabled: true)",
        "MyComponentName2024FinalVersionV3",
        "SELECT * FROM users WHERE password_hash = $1 AND created_at > NOW() - INTERVAL '7 days'",
        "docker run -e POSTGRES_PASSWORD=$POSTGRES_PASSWORD -p 5432:5432 postgres:16",
        "kubectl create secret generic db-creds --from-literal=password=$(cat /run/secrets/db)",
        "git log --oneline -n 5 && git push origin feature/JIRA-1234-rotate-keys",
        "npm install --save-dev @typescript-eslint/eslint-plugin@8.18.2",
        "sk-learn-classification-tutorial-for-beginners-2024",
        "task-1234567890-abcdefghijklmnopqrstuvwxyz",
        // Dates, versions, numbers, e-mail.
        "2024-01-15T10:30:00.000Z",
        "v1.2.3-beta.4+build.567",
        "+1 (555) 123-4567",
        "alice.smith+newsletter@example.co.uk",
        "4111 1111 1111 1111");

    [Theory]
    [MemberData(nameof(OrdinaryText))]
    public void Ordinary_text_is_not_a_secret(string text)
    {
        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["text"] = text }));

        Assert.False(verdict.HasOpinion, verdict.Reason);
    }

    [Theory]
    [MemberData(nameof(OrdinaryText))]
    public void Ordinary_text_is_not_a_secret_when_parsed_unescaped(string text)
    {
        var json = new JsonObject { ["nested"] = new JsonArray(text) }.ToJsonString(PlainJson);

        var verdict = DefaultRule.Evaluate(Parsed("{\"args\": " + json + "}"));

        Assert.False(verdict.HasOpinion, verdict.Reason);
    }

    [Theory]
    [InlineData("password", "")]
    [InlineData("password", "short1")]
    [InlineData("password", "********")]
    [InlineData("password", "${DB_PASSWORD}")]
    [InlineData("password", "<password>")]
    [InlineData("password", "correct horse battery staple")]
    [InlineData("password_policy", "min 12 chars, 1 digit")]
    [InlineData("token", "abc")]
    [InlineData("token_type", "Bearer")]
    [InlineData("next_page_token", "CAoQAA4xZ2NkZTEyMw")]
    [InlineData("secret", "prod-db-password")]
    [InlineData("secret_name", "prod/db/password1")]
    [InlineData("apiKey", "{{ secrets.OPENAI_KEY }}")]
    [InlineData("Authorization", "Bearer")]
    [InlineData("Authorization", "Bearer ${TOKEN}")]
    [InlineData("isSecret", "yes")]
    [InlineData("PublicKeyToken", "b77a5c561934e089")]
    [InlineData("contentHash", "UOJqcdNMoFcV/5RUcOlVKq9pPmbrcmbpLx5iYz9QtrmMcWRQzlL5Q/NZRfbPPLNyIEc1HWjjs5Z7nIwqewU1sg==")]
    [InlineData("sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")]
    [InlineData("passwordHash", "$2b$12$KIXQJX8b1pZ3nqgk0wXQ9uQ1xWm9oYd5cF3r7Hq2Lk4sT6vB8nE1a")]
    public void Ordinary_values_of_secret_named_properties_are_not_secrets(string property, string value)
    {
        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { [property] = value }));

        Assert.False(verdict.HasOpinion, verdict.Reason);
    }

    [Fact]
    public void Typical_file_write_of_source_code_is_not_a_secret()
    {
        var source = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            source.Append("    public async Task<IReadOnlyList<OrderSummary>> GetOrdersForCustomer").Append(i)
                .Append("Async(Guid customerId, CancellationToken cancellationToken = default)\n    {\n")
                .Append("        var url = $\"https://api.example.com/v2/customers/{customerId}/orders?page=").Append(i).Append("\";\n")
                .Append("        return await _http.GetFromJsonAsync<List<OrderSummary>>(url, cancellationToken).ConfigureAwait(false) ?? [];\n    }\n\n");
        }

        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["path"] = "src/Orders/OrderClient.cs", ["content"] = source.ToString() }));

        Assert.False(verdict.HasOpinion, verdict.Reason);
    }

    [Fact]
    public void Large_base64_payloads_are_data_not_keys()
    {
        var image = Convert.ToBase64String(RandomBytes(new Random(9), 48 * 1024));

        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["mimeType"] = "image/png", ["data"] = image }));

        Assert.False(verdict.HasOpinion, verdict.Reason);
    }
}
