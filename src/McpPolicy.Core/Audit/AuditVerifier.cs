namespace McpPolicy;

/// <summary>
/// Verifies audit files written by <see cref="AuditFileSink"/>: every line's MAC under the key, the sequence numbers and the
/// <c>prev</c> links across files, and (by default) that the chain ends with a <c>seal</c> record. Reports OK or the first bad
/// record (file, line) and why: modified, inserted, deleted, reordered, truncated or wrong key.
/// </summary>
public static class AuditVerifier
{
    /// <summary>Verifies a chain given as files in chain order (see <see cref="AuditFileSink.ChainFiles"/>).</summary>
    /// <param name="files">The files, oldest first. They must hold the whole chain from its first record.</param>
    /// <param name="key">The chain key.</param>
    /// <param name="options">Verification settings; the defaults when null.</param>
    /// <returns>OK, or the first problem.</returns>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static AuditVerificationResult Verify(IEnumerable<string> files, ReadOnlySpan<byte> key, AuditVerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (key.Length == 0)
        {
            throw new ArgumentException("The audit key is empty.", nameof(key));
        }

        options ??= new AuditVerifyOptions();
        var keyBytes = key.ToArray();
        var lines = new List<Line>();
        foreach (var file in files)
        {
            var bytes = System.IO.File.ReadAllBytes(file);
            var start = 0;
            var number = 0;
            while (start < bytes.Length)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', start);
                number++;
                if (end < 0)
                {
                    lines.Add(new Line(file, number, number == 1, true, AuditChain.ParsedLine.Broken("the file ends in the middle of a line")));
                    break;
                }

                var parsed = end == start ? AuditChain.ParsedLine.Broken("the line is empty") : AuditChain.Parse(keyBytes, bytes.AsSpan(start, end - start));
                lines.Add(new Line(file, number, number == 1, false, parsed));
                start = end + 1;
            }
        }

        if (lines.Count == 0)
        {
            return new AuditVerificationResult { Problem = AuditProblem.Truncated, Message = "no audit records were found in the files given", File = null, Line = 0 };
        }

        // Where each authentic record sits, to tell a reordering (the expected record comes later) from a deletion.
        var positions = new Dictionary<long, List<int>>();
        var anyAuthentic = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Parsed.MacValid)
            {
                anyAuthentic = true;
                if (!positions.TryGetValue(lines[i].Parsed.Seq, out var list))
                {
                    positions[lines[i].Parsed.Seq] = list = [];
                }

                list.Add(i);
            }
        }

        var ourKeyId = AuditKey.Id(keyBytes);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long expectedSeq = 0;
        var expectedPrev = AuditChain.Genesis;
        long records = 0;
        long checkpoints = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var p = line.Parsed;
            AuditVerificationResult Fail(AuditProblem problem, string message) => new()
            {
                Problem = problem, File = line.File, Line = line.Number, Message = message, VerifiedLines = i, Records = records, Checkpoints = checkpoints,
                Head = i == 0 ? null : expectedPrev,
            };

            if (line.Partial)
            {
                return Fail(AuditProblem.Truncated, "the file ends in the middle of a record");
            }

            if (!p.MacValid)
            {
                if (!anyAuthentic && p.IsWellFormed)
                {
                    var written = lines.FirstOrDefault(l => l.Parsed.KeyId is not null).Parsed.KeyId;
                    if (written is not null && !string.Equals(written, ourKeyId, StringComparison.Ordinal))
                    {
                        return Fail(AuditProblem.WrongKey, $"no record verifies with this key: the files were written with key id {written}, the key given has id {ourKeyId}");
                    }
                }

                if (i + 1 < lines.Count && lines[i + 1].Parsed is { MacValid: true } next && next.Seq == expectedSeq && next.Prev == expectedPrev)
                {
                    return Fail(AuditProblem.Inserted, "this line is not part of the chain (the chain continues after it)");
                }

                if (i > 0 && lines[i - 1] is { Parsed: { MacValid: true, Type: "seal" } } sealLine && string.Equals(sealLine.File, line.File, StringComparison.Ordinal))
                {
                    return Fail(AuditProblem.Inserted, "this line follows the record that sealed the file");
                }

                return Fail(AuditProblem.Modified, p.Problem ?? $"record {ExpectedText(p.Seq)} does not match its MAC: its content was changed");
            }

            if (p.Seq == expectedSeq)
            {
                if (!string.Equals(p.Prev, expectedPrev, StringComparison.Ordinal))
                {
                    return Fail(AuditProblem.Inserted, $"record {p.Seq} does not follow the record before it: it comes from another chain");
                }

                if (line.FirstOfFile != string.Equals(p.Type, "open", StringComparison.Ordinal))
                {
                    return Fail(AuditProblem.Modified, line.FirstOfFile ? "a file must start with an 'open' record" : "an 'open' record may only be the first line of a file");
                }

                seen.Add(p.Mac);
                expectedSeq++;
                expectedPrev = p.Mac;
                switch (p.Type)
                {
                    case "decision":
                    case "intent":
                        records++;
                        break;
                    case "checkpoint":
                        checkpoints++;
                        break;
                }

                continue;
            }

            if (p.Seq < expectedSeq)
            {
                return Fail(AuditProblem.Inserted, seen.Contains(p.Mac)
                    ? $"record {p.Seq} appears a second time"
                    : $"record {p.Seq} does not belong here: record {expectedSeq} was expected");
            }

            if (positions.TryGetValue(expectedSeq, out var later) && later.Exists(at => at > i))
            {
                return Fail(AuditProblem.Reordered, $"record {p.Seq} comes before record {expectedSeq}, which appears later");
            }

            return Fail(AuditProblem.Deleted, expectedSeq == p.Seq - 1
                ? $"record {expectedSeq} is missing before record {p.Seq}"
                : $"records {expectedSeq} to {p.Seq - 1} are missing before record {p.Seq}");
        }

        var last = lines[^1];
        if (options.RequireSealed && string.Equals(last.Parsed.Type, "seal", StringComparison.Ordinal) && !string.Equals(last.Parsed.Reason, "close", StringComparison.Ordinal))
        {
            return new AuditVerificationResult
            {
                Problem = AuditProblem.Truncated, File = last.File, Line = last.Number + 1, VerifiedLines = lines.Count, Records = records, Checkpoints = checkpoints, Head = expectedPrev,
                Message = "the last file was sealed for rotation, so the chain continues in a later file that was not given (or was removed)",
            };
        }

        if (options.RequireSealed && !string.Equals(last.Parsed.Type, "seal", StringComparison.Ordinal))
        {
            return new AuditVerificationResult
            {
                Problem = AuditProblem.Truncated, File = last.File, Line = last.Number + 1, VerifiedLines = lines.Count, Records = records, Checkpoints = checkpoints, Head = expectedPrev,
                Message = "the chain does not end with a 'seal' record: records were removed from the end, or the writer did not shut down cleanly (verify with RequireSealed off / --allow-unsealed to check what is there)",
            };
        }

        return new AuditVerificationResult
        {
            Message = $"{lines.Count} lines, {records} records, {checkpoints} checkpoints verified; chain head {expectedPrev}",
            VerifiedLines = lines.Count, Records = records, Checkpoints = checkpoints, Head = expectedPrev,
        };
    }

    private static string ExpectedText(long seq) => seq >= 0 ? seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";

    private readonly record struct Line(string File, int Number, bool FirstOfFile, bool Partial, AuditChain.ParsedLine Parsed);
}
