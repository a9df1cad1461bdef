using McpPolicy;

namespace PolicyHost;

/// <summary>Asks the person at the console to approve a HIGH call. No answer (end of input) means no.</summary>
public sealed class ConsoleApprovalHandler : IApprovalHandler
{
    public async ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"  APPROVAL NEEDED: {request.QualifiedName} is rated {request.Risk}");
        foreach (var reason in request.Reasons)
        {
            Console.WriteLine($"    - {reason.Id}: {reason.Message}");
        }

        Console.WriteLine("    arguments: " + request.ArgumentsPreview.ReplaceLineEndings(Environment.NewLine + "    "));
        Console.Write($"  Approve this exact call? Expires {request.ExpiresAt:HH:mm:ss} [y/N] ");
        var answer = await Console.In.ReadLineAsync(cancellationToken);
        if (answer is null)
        {
            Console.WriteLine("(no answer: denied)");
            return ApprovalResponse.Deny("console-unavailable");
        }

        Console.WriteLine();
        var approver = Environment.UserName;
        return string.Equals(answer?.Trim(), "y", StringComparison.OrdinalIgnoreCase)
            ? ApprovalResponse.Approve(approver)
            : ApprovalResponse.Deny(approver);
    }
}
