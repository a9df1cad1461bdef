using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpPolicy.Tokens.Tests.TestSupport;

/// <summary>A minimal HTTP/1.1 server on a loopback address (127.0.0.x), one request per connection, for SSRF, JWKS and OAuth tests.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Task>? _beforeAccept;
    private readonly Task _loop;
    private int _connections;

    /// <param name="handler">Answers each request.</param>
    /// <param name="address">The loopback address to listen on.</param>
    /// <param name="beforeAccept">Awaited by the accept loop before each accept (for the server's own tests).</param>
    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler, string address = "127.0.0.1", Func<Task>? beforeAccept = null)
    {
        _handler = handler;
        _beforeAccept = beforeAccept;
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        Address = IPAddress.Parse(address);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>The base URL by address, such as <c>http://127.0.0.1:12345</c>.</summary>
    public Uri BaseUri => new($"http://{Address}:{Port}");

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    /// <summary>TCP connections accepted: zero proves a refused request never reached the server.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public Uri Url(string path) => new(BaseUri, path);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                if (_beforeAccept is not null)
                {
                    await _beforeAccept();
                }

                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (InvalidOperationException) when (_stop.IsCancellationRequested)
            {
                // Disposal stopped the listener after the loop checked for a stop and before it called accept.
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new List<byte>();
                var one = new byte[1];
                while (!EndsWithBlankLine(head))
                {
                    if (await stream.ReadAsync(one) == 0)
                    {
                        return;
                    }

                    head.Add(one[0]);
                }

                var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                var requestLine = lines[0].Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                var body = Array.Empty<byte>();
                if (headers.TryGetValue("Content-Length", out var lengthText) && int.Parse(lengthText, CultureInfo.InvariantCulture) is > 0 and var length)
                {
                    body = new byte[length];
                    await stream.ReadExactlyAsync(body);
                }

                var request = new LoopbackRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body));
                Requests.Enqueue(request);
                var response = _handler(request);
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} X\r\n");
                foreach (var (name, value) in response.Headers)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
                }

                var bytes = Encoding.UTF8.GetBytes(response.Body);
                text.Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
                await stream.WriteAsync(bytes);
                await stream.FlushAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static bool EndsWithBlankLine(List<byte> bytes)
        => bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}

internal sealed record LoopbackRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

internal sealed record LoopbackResponse(int Status, string Body = "", string ContentType = "application/json")
{
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public static LoopbackResponse Json(string body) => new(200, body);

    public static LoopbackResponse Redirect(Uri location, int status = 302) => new(status, "") { Headers = [("Location", location.ToString())] };
}
