using System.Runtime.InteropServices;

namespace McpPolicy.Benchmarks;

/// <summary>CPU time of the calling thread (<c>CLOCK_THREAD_CPUTIME_ID</c>, Linux).</summary>
internal static class ThreadCpu
{
    private const int ThreadCpuClock = 3;

    public static long Nanoseconds()
    {
        if (ClockGetTime(ThreadCpuClock, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }


    // A plain DllImport: the generated LibraryImport stub needs unsafe code, which this project does not allow.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
#pragma warning restore SYSLIB1054

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
