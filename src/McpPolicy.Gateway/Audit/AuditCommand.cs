using System.CommandLine;

namespace McpPolicy.Gateway.Audit;

/// <summary>
/// <c>mcp-policy audit verify FILE... (--key KEY | --key-file F) [--allow-unsealed]</c>: verifies a hash-chained audit trail and prints OK
/// or the first bad record (file, line) and why; exits 0 when the chain verifies, 1 when it does not, 2 on a usage error.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "The audit files in chain order, or the configured audit path (audit.jsonl), which stands for every audit.NNNNNN.jsonl beside it.",
            Arity = ArgumentArity.OneOrMore,
        };
        var key = new Option<string>("--key")
        {
            Description = "The chain key, base64 (as in McpPolicy:Audit:Key).",
        };
        var keyFile = new Option<FileInfo>("--key-file")
        {
            Description = "A file holding the base64 chain key.",
        };
        var allowUnsealed = new Option<bool>("--allow-unsealed")
        {
            Description = "Accept a chain that does not end with a seal record (a file still being written, or left by a crash).",
        };

        var verify = new Command("verify", "Verify an audit trail: every record's MAC, the chain across files, and its seal.")
        {
            files,
            key,
            keyFile,
            allowUnsealed,
        };
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var keyText = parse.GetValue(key);
            var keyPath = parse.GetValue(keyFile);
            if ((keyText is null) == (keyPath is null))
            {
                throw new UsageException("give the chain key with exactly one of --key KEY or --key-file FILE.");
            }

            byte[] keyBytes;
            try
            {
                var options = new AuditOptions { Key = keyText, KeyFile = keyPath?.FullName };
                keyBytes = options.ResolveKey();
            }
            catch (InvalidOperationException ex)
            {
                throw new UsageException(ex.Message);
            }

            var paths = new List<string>();
            foreach (var file in parse.GetValue(files)!)
            {
                if (File.Exists(file))
                {
                    paths.Add(file);
                    continue;
                }

                var chain = AuditFileSink.ChainFiles(file);
                if (chain.Count == 0)
                {
                    throw new UsageException($"'{file}' does not exist, and no numbered audit files belong to it.");
                }

                paths.AddRange(chain);
            }

            AuditVerificationResult result;
            try
            {
                result = AuditVerifier.Verify(paths, keyBytes, new AuditVerifyOptions { RequireSealed = !parse.GetValue(allowUnsealed) });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"an audit file cannot be read: {ex.Message}");
            }

            await output.WriteLineAsync(result.IsValid
                ? $"OK: {result.Message}"
                : $"FAILED: {result.Problem} at {result.File}:{result.Line}: {result.Message}").WaitAsync(cancellationToken).ConfigureAwait(false);
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Findings;
        });

        return new Command("audit", "Work with McpPolicy audit trails.") { verify };
    }
}
