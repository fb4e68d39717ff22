using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crnn.MLNet.Training.Tests.Data;

/// <summary>How <see cref="LoopbackServer"/> misbehaves for a path.</summary>
internal enum Misbehaviour
{
    None,

    /// <summary>Announce the full Content-Length, send half, close the connection.</summary>
    Truncate,

    /// <summary>Send the headers and a little data, then nothing (until the test ends).</summary>
    Stall,
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, serving fixed byte arrays, one request per connection.
/// Raw sockets rather than HttpListener, so it can break the protocol on purpose.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, (byte[] Body, Misbehaviour How)> _files = new();
    private readonly CancellationTokenSource _stop = new();

    public LoopbackServer()
    {
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = Task.Run(AcceptLoop);
    }

    public Uri BaseUri { get; }

    /// <summary>Requests received per path.</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    public void Serve(string path, byte[] body, Misbehaviour how = Misbehaviour.None) => _files["/" + path.TrimStart('/')] = (body, how);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n"))
                {
                    int n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                string path = request.ToString().Split(' ')[1];
                Requests.AddOrUpdate(path, 1, (_, c) => c + 1);
                if (!_files.TryGetValue(path, out var file))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                    return;
                }
                var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {file.Body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), _stop.Token);
                switch (file.How)
                {
                    case Misbehaviour.None:
                        await stream.WriteAsync(file.Body, _stop.Token);
                        break;
                    case Misbehaviour.Truncate:
                        await stream.WriteAsync(file.Body.AsMemory(0, file.Body.Length / 2), _stop.Token);
                        break;
                    case Misbehaviour.Stall:
                        await stream.WriteAsync(file.Body.AsMemory(0, Math.Min(10, file.Body.Length)), _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        break;
                }
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // The client gave up first; nothing to do.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
