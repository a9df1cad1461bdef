using System.Diagnostics;
using System.Globalization;
using McpPolicy;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// measure-killswitch: the time from a kill switch change to the first denied call while worker threads call the pipeline in a
/// loop. Two ways to flip it: <c>IKillSwitch.Disable</c> (the API) and an edit of the policy file (hot reload through the file
/// watcher, its quiet period, parsing and compiling). Prints one JSON line per way, with percentiles in microseconds.
/// </summary>
internal static class KillSwitchLatency
{
    private const int Workers = 2;
    private const int ApiTrials = 500;
    private const int FileTrials = 30;

    public static int Measure()
    {
        var dir = Directory.CreateTempSubdirectory("mcppolicy-killswitch-").FullName;
        try
        {
            var policy = Path.Combine(dir, "policy.json");
            File.WriteAllText(policy, Open);
            var services = new ServiceCollection();
            services.AddMcpPolicy(policy);
            using var provider = services.BuildServiceProvider();
            var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();
            var killSwitch = provider.GetRequiredService<IKillSwitch>();

            using var load = new Load(pipeline, Workers);
            var api = new List<double>(ApiTrials);
            var scope = KillSwitchScope.Tool("fs/write_*");
            for (var i = 0; i < ApiTrials; i++)
            {
                Thread.Sleep(1 + (i % 3));
                load.Arm();
                var start = Stopwatch.GetTimestamp();
                killSwitch.Disable(scope);
                api.Add(load.WaitForDenial(start));
                killSwitch.Enable(scope);
                load.WaitForAllowed();
            }

            var file = new List<double>(FileTrials);
            for (var i = 0; i < FileTrials; i++)
            {
                Thread.Sleep(200);
                load.Arm();
                var start = Stopwatch.GetTimestamp();
                File.WriteAllText(policy, Killed);
                file.Add(load.WaitForDenial(start));
                File.WriteAllText(policy, Open);
                load.WaitForAllowed();
            }

            Console.WriteLine(Line("api", api, load.Calls));
            Console.WriteLine(Line("policy-file", file, load.Calls));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private const string Open = """{ "defaults": { "risk": "Low" } }""";
    private const string Killed = """{ "defaults": { "risk": "Low" }, "killSwitch": [ "fs/write_*" ] }""";

    private static string Line(string way, List<double> micros, long calls)
    {
        micros.Sort();
        double P(double q) => micros[Math.Min(micros.Count - 1, (int)Math.Ceiling(q * micros.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"{{\"way\":\"{way}\",\"trials\":{micros.Count},\"workers\":{Workers},\"calls\":{calls},\"p50_us\":{P(0.5):F1},\"p90_us\":{P(0.9):F1},\"p99_us\":{P(0.99):F1},\"max_us\":{micros[^1]:F1}}}");
    }

    /// <summary>Worker threads calling fs/write_file through the pipeline without pause; the first denial after Arm is stamped.</summary>
    private sealed class Load : IDisposable
    {
        private readonly ToolInvocationPipeline _pipeline;
        private readonly Thread[] _threads;
        private volatile bool _stop;
        private volatile bool _armed;
        private long _deniedAt;
        private long _allowedAt;
        private long _calls;

        public Load(ToolInvocationPipeline pipeline, int workers)
        {
            _pipeline = pipeline;
            _threads = Enumerable.Range(0, workers).Select(_ => new Thread(Run) { IsBackground = true }).ToArray();
            foreach (var t in _threads)
            {
                t.Start();
            }
        }

        public long Calls => Interlocked.Read(ref _calls);

        public void Arm()
        {
            Interlocked.Exchange(ref _deniedAt, 0);
            _armed = true;
        }

        public double WaitForDenial(long start)
        {
            var spin = new SpinWait();
            long at;
            while ((at = Interlocked.Read(ref _deniedAt)) == 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("no call was denied within 30 s of the kill switch change");
                }
            }

            _armed = false;
            return Stopwatch.GetElapsedTime(start, at).TotalMicroseconds;
        }

        public void WaitForAllowed()
        {
            var mark = Stopwatch.GetTimestamp();
            while (Interlocked.Read(ref _allowedAt) < mark)
            {
                Thread.Sleep(1);
                if (Stopwatch.GetElapsedTime(mark) > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("calls were not allowed again within 30 s of re-enabling");
                }
            }
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var t in _threads)
            {
                t.Join();
            }
        }

        private void Run()
        {
            while (!_stop)
            {
                var context = new ToolInvocationContext("fs", "write_file")
                {
                    Tool = new ToolDescriptor("write_file") { Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false) },
                    Invoker = static (_, _) => new ValueTask<CallToolResult>(new CallToolResult { Content = [] }),
                };
                var result = _pipeline.InvokeAsync(context).AsTask().GetAwaiter().GetResult();
                Interlocked.Increment(ref _calls);
                var now = Stopwatch.GetTimestamp();
                if (result.IsError == true)
                {
                    if (_armed)
                    {
                        Interlocked.CompareExchange(ref _deniedAt, now, 0);
                    }
                }
                else
                {
                    Interlocked.Exchange(ref _allowedAt, now);
                }
            }
        }
    }
}
