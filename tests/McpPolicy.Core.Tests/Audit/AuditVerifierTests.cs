using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>The keyed hash chain detects every change to an audit file, and reports what kind of change it found.</summary>
public sealed class AuditVerifierTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mcppolicy-audit-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Fresh()
    {
        var path = Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static AuditVerificationResult Verify(IEnumerable<string> files, byte[]? key = null, bool requireSealed = true)
        => AuditVerifier.Verify(files, key ?? AuditFiles.Key, new AuditVerifyOptions { RequireSealed = requireSealed });

    /// <summary>One sealed chain of 12 records (open + 12 + 1 checkpoint + seal = 15 lines), shared by the property tests.</summary>
    private readonly Lazy<byte[]> _sample = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "mcppolicy-audit-sample-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = AuditFiles.WriteAsync(folder, 12, o => o.CheckpointEvery = 10, i => i == 4 ? "ünïcödé \"quoted\" \u2028 text" : null).GetAwaiter().GetResult();
            return File.ReadAllBytes(Assert.Single(files));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    });

    private AuditVerificationResult VerifyBytes(byte[] bytes, byte[]? key = null)
    {
        var path = Path.Combine(Fresh(), "audit.000001.jsonl");
        File.WriteAllBytes(path, bytes);
        return Verify([path], key);
    }

    private static List<byte[]> Lines(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Split('\n')[..^1].Select(l => Encoding.UTF8.GetBytes(l + "\n")).ToList();
    }

    private static byte[] Join(IEnumerable<byte[]> lines) => lines.SelectMany(l => l).ToArray();

    [Fact]
    public async Task An_untouched_chain_verifies_and_counts_its_records()
    {
        var files = await AuditFiles.WriteAsync(Fresh(), 25, o => o.CheckpointEvery = 10);
        var result = Verify(files);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(25, result.Records);
        Assert.Equal(2, result.Checkpoints);
        Assert.Equal(25 + 2 + 2, result.VerifiedLines);
    }

    [Fact]
    public void Untouched_chains_of_any_length_and_content_always_verify()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(ArbMap.Default.ArbFor<NonNegativeInt>(), ArbMap.Default.ArbFor<string>(), (count, text) =>
            {
                var files = AuditFiles.WriteAsync(Fresh(), 1 + (count.Get % 40), o => o.CheckpointEvery = 7, _ => text is null ? null : new string(text.Where(c => !char.IsSurrogate(c)).ToArray())).GetAwaiter().GetResult();
                var result = Verify(files);
                Assert.True(result.IsValid, result.ToString());
                Assert.Equal(1 + (count.Get % 40), result.Records);
            }));
    }

    [Fact]
    public void Any_single_byte_change_is_detected()
    {
        var original = _sample.Value;
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(ArbMap.Default.ArbFor<NonNegativeInt>(), ArbMap.Default.ArbFor<byte>(), (position, value) =>
            {
                var bytes = (byte[])original.Clone();
                var at = position.Get % bytes.Length;
                if (bytes[at] == value)
                {
                    value ^= 0x01;
                }

                bytes[at] = value;
                var result = VerifyBytes(bytes);
                Assert.False(result.IsValid, $"changing byte {at} to 0x{value:x2} went unnoticed");
                Assert.Contains(result.Problem!.Value, new[] { AuditProblem.Modified, AuditProblem.Truncated, AuditProblem.Inserted });
            }));
    }

    [Fact]
    public void Every_byte_flipped_in_turn_is_detected_as_a_change()
    {
        var original = _sample.Value;
        for (var at = 0; at < original.Length; at++)
        {
            var bytes = (byte[])original.Clone();
            bytes[at] ^= 0x20;
            var result = VerifyBytes(bytes);
            Assert.False(result.IsValid, $"flipping byte {at} went unnoticed");
        }
    }

    [Fact]
    public void Deleting_any_line_is_detected()
    {
        var lines = Lines(_sample.Value);
        for (var i = 0; i < lines.Count; i++)
        {
            var result = VerifyBytes(Join(lines.Where((_, j) => j != i)));
            Assert.False(result.IsValid, $"deleting line {i + 1} went unnoticed");
            Assert.Equal(i == lines.Count - 1 ? AuditProblem.Truncated : AuditProblem.Deleted, result.Problem);
            Assert.Equal(i == lines.Count - 1 ? lines.Count : i + 1, result.Line);
        }
    }

    [Fact]
    public void Inserting_a_foreign_line_anywhere_is_detected_as_an_insertion()
    {
        var lines = Lines(_sample.Value);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(200),
            Prop.ForAll(ArbMap.Default.ArbFor<NonNegativeInt>(), ArbMap.Default.ArbFor<string>(), (position, text) =>
            {
                var at = position.Get % (lines.Count + 1);
                var junk = Encoding.UTF8.GetBytes((text ?? string.Empty).Replace("\n", " ", StringComparison.Ordinal) + "\n");
                var changed = lines.ToList();
                changed.Insert(at, junk);
                var result = VerifyBytes(Join(changed));
                Assert.False(result.IsValid, $"inserting a line at {at} went unnoticed");
                Assert.Equal(AuditProblem.Inserted, result.Problem);
                Assert.Equal(at + 1, result.Line);
            }));
    }

    [Fact]
    public void Duplicating_any_line_anywhere_is_detected()
    {
        var lines = Lines(_sample.Value);
        for (var from = 0; from < lines.Count; from++)
        {
            for (var to = 0; to <= lines.Count; to++)
            {
                var changed = lines.ToList();
                changed.Insert(to, lines[from]);
                var result = VerifyBytes(Join(changed));
                Assert.False(result.IsValid, $"a copy of line {from + 1} at {to + 1} went unnoticed");
                Assert.Contains(result.Problem!.Value, new[] { AuditProblem.Inserted, AuditProblem.Reordered });
            }
        }
    }

    [Fact]
    public void Swapping_any_two_lines_is_detected_as_a_reordering()
    {
        var lines = Lines(_sample.Value);
        for (var a = 0; a < lines.Count; a++)
        {
            for (var b = a + 1; b < lines.Count; b++)
            {
                var changed = lines.ToList();
                (changed[a], changed[b]) = (changed[b], changed[a]);
                var result = VerifyBytes(Join(changed));
                Assert.False(result.IsValid, $"swapping lines {a + 1} and {b + 1} went unnoticed");
                Assert.Equal(AuditProblem.Reordered, result.Problem);
                Assert.Equal(a + 1, result.Line);
            }
        }
    }

    [Fact]
    public void Cutting_the_file_anywhere_is_detected_as_truncation()
    {
        var original = _sample.Value;
        for (var length = 1; length < original.Length; length += 7)
        {
            var result = VerifyBytes(original[..length]);
            Assert.False(result.IsValid, $"cutting at {length} went unnoticed");
            Assert.Equal(AuditProblem.Truncated, result.Problem);
        }
    }

    [Fact]
    public void A_chain_still_being_written_verifies_only_when_unsealed_chains_are_allowed()
    {
        var lines = Lines(_sample.Value);
        var path = Path.Combine(Fresh(), "audit.000001.jsonl");
        File.WriteAllBytes(path, Join(lines.Take(lines.Count - 1)));

        Assert.Equal(AuditProblem.Truncated, Verify([path]).Problem);
        Assert.True(Verify([path], requireSealed: false).IsValid);
    }

    [Fact]
    public void Another_key_is_reported_as_the_wrong_key()
    {
        var other = Enumerable.Repeat((byte)7, 32).ToArray();
        var result = VerifyBytes(_sample.Value, other);

        Assert.Equal(AuditProblem.WrongKey, result.Problem);
        Assert.Equal(1, result.Line);
        Assert.Contains(AuditKey.Id(AuditFiles.Key), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rewritten_record_with_a_recomputed_unkeyed_hash_does_not_verify()
    {
        // An attacker without the key can change a record and recompute a plain SHA-256; the MAC still fails.
        var lines = Lines(_sample.Value);
        var text = Encoding.UTF8.GetString(lines[3]).Replace("\"risk\":\"Low\"", "\"risk\":\"Lox\"", StringComparison.Ordinal);
        lines[3] = Encoding.UTF8.GetBytes(text);
        var result = VerifyBytes(Join(lines));
        Assert.Equal(AuditProblem.Modified, result.Problem);
        Assert.Equal(4, result.Line);
    }

    [Fact]
    public async Task Rotation_carries_the_chain_across_files_and_missing_or_swapped_files_are_detected()
    {
        var files = await AuditFiles.WriteAsync(Fresh(), 120, o => { o.MaxFileBytes = 4096; o.CheckpointEvery = 4; });

        Assert.True(files.Count >= 4, $"expected rotation, got {files.Count} files");
        var ok = Verify(files);
        Assert.True(ok.IsValid, ok.ToString());
        Assert.Equal(120, ok.Records);
        Assert.True(ok.Checkpoints >= 10, ok.ToString());

        var withoutMiddle = files.Where((_, i) => i != 1).ToList();
        var deleted = Verify(withoutMiddle);
        Assert.Equal(AuditProblem.Deleted, deleted.Problem);
        Assert.Equal(files[2], deleted.File);
        Assert.Equal(1, deleted.Line);

        var swapped = files.ToList();
        (swapped[1], swapped[2]) = (swapped[2], swapped[1]);
        Assert.Equal(AuditProblem.Reordered, Verify(swapped).Problem);

        Assert.Equal(AuditProblem.Deleted, Verify(files.Skip(1)).Problem);
        var lastFileMissing = Verify(files.Take(files.Count - 1));
        Assert.Equal(AuditProblem.Truncated, lastFileMissing.Problem);
        Assert.Contains("later file", lastFileMissing.Message, StringComparison.Ordinal);

        foreach (var file in files.Take(files.Count - 1))
        {
            var last = File.ReadAllLines(file)[^1];
            Assert.Contains("\"type\":\"seal\"", last, StringComparison.Ordinal);
            Assert.Contains("\"reason\":\"rotate\"", last, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_restarted_writer_continues_the_chain_in_a_new_file()
    {
        var folder = Fresh();
        await AuditFiles.WriteAsync(folder, 3);
        var files = await AuditFiles.WriteAsync(folder, 4);

        Assert.Equal(2, files.Count);
        var result = Verify(files);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(7, result.Records);
        var open = AuditFiles.ReadLines([files[1]])[0];
        Assert.Equal("open", open.GetProperty("type").GetString());
        Assert.Equal(Path.GetFileName(files[0]), open.GetProperty("continues").GetString());
        Assert.Equal(AuditProblem.Deleted, Verify([files[1]]).Problem);
    }

    [Fact]
    public async Task Every_line_is_canonical_json_whose_mac_covers_the_record_and_the_previous_mac()
    {
        var files = await AuditFiles.WriteAsync(Fresh(), 3);
        var lines = File.ReadAllLines(Assert.Single(files));
        var parsed = AuditFiles.ReadLines(files);

        Assert.Equal("open,decision,decision,decision,seal", string.Join(",", parsed.Select(p => p.GetProperty("type").GetString())));
        Assert.Equal(new string('0', 64), parsed[0].GetProperty("prev").GetString());
        for (var i = 0; i < lines.Length; i++)
        {
            using var document = System.Text.Json.JsonDocument.Parse(lines[i]);
            Assert.Equal(lines[i], Encoding.UTF8.GetString(CanonicalJson.Serialize(document.RootElement)));
            Assert.Equal(i, parsed[i].GetProperty("seq").GetInt64());
            if (i > 0)
            {
                Assert.Equal(parsed[i - 1].GetProperty("mac").GetString(), parsed[i].GetProperty("prev").GetString());
            }

            var node = System.Text.Json.Nodes.JsonNode.Parse(lines[i])!.AsObject();
            node.Remove("mac");
            var unsigned = CanonicalJson.Serialize(System.Text.Json.JsonSerializer.SerializeToElement(node));
            var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(AuditFiles.Key, unsigned));
            Assert.Equal(expected, parsed[i].GetProperty("mac").GetString());
        }
    }
}
