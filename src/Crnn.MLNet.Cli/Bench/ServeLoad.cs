using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>One load level of <c>crnn bench-serve</c>: concurrent clients posting images for a fixed time.</summary>
internal sealed record ServeLoadResult(int Clients, double Seconds, long Requests, double RequestsPerSecond, double P50Ms, double P99Ms, double MaxMs,
    long Errors, double Accuracy, double WorkingSetStartMb, double WorkingSetEndMb, double ManagedHeapStartMb, double ManagedHeapEndMb);

/// <summary>
/// Loads a served classifier over real HTTP on loopback: each client posts the next image (PNG, from a dataset's test
/// split) as soon as its previous answer arrived, for a fixed time. Counts non-200 answers as errors and checks the
/// labels answered against the dataset's, so that a fast wrong server does not pass.
/// </summary>
internal static class ServeLoad
{
    /// <summary>The test images as PNG files in memory, with their labels.</summary>
    public static (byte[][] Pngs, string[] Labels) EncodeImages(CharacterDataset data, int count)
    {
        count = Math.Min(count, data.Count);
        var pngs = new byte[count][];
        var labels = new string[count];
        using var encoder = new GrayPng(data.Width, data.Height);
        for (int i = 0; i < count; i++)
        {
            using var png = encoder.Encode(data.Images, i);
            pngs[i] = png.ToArray();
            labels[i] = data.LabelNames[data.Labels[i]];
        }
        return (pngs, labels);
    }

    public static async Task<ServeLoadResult> RunAsync(Uri endpoint, byte[][] pngs, string[] labels, int clients, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        double wsStart = process.WorkingSet64 / 1048576.0, heapStart = GC.GetTotalMemory(false) / 1048576.0;

        var latencies = new ConcurrentBag<List<double>>();
        long next = 0, errors = 0, correct = 0;
        var clock = Stopwatch.StartNew();
        var until = duration;
        async Task Client()
        {
            var mine = new List<double>(4096);
            latencies.Add(mine);
            while (clock.Elapsed < until)
            {
                int i = (int)(Interlocked.Increment(ref next) % pngs.Length);
                var content = new ByteArrayContent(pngs[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(endpoint, content);
                    string body = await response.Content.ReadAsStringAsync();
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref errors); continue; }
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.GetProperty("label").GetString() == labels[i]) Interlocked.Increment(ref correct);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)));
        double seconds = clock.Elapsed.TotalSeconds;

        process.Refresh();
        double wsEnd = process.WorkingSet64 / 1048576.0, heapEnd = GC.GetTotalMemory(false) / 1048576.0;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        long requests = all.Length;
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
        return new ServeLoadResult(clients, Math.Round(seconds, 2), requests, Math.Round(requests / seconds, 1), Math.Round(Percentile(0.5), 2),
            Math.Round(Percentile(0.99), 2), Math.Round(all.LastOrDefault(), 2), errors, requests - errors > 0 ? Math.Round((double)correct / (requests - errors), 4) : 0,
            Math.Round(wsStart, 1), Math.Round(wsEnd, 1), Math.Round(heapStart, 1), Math.Round(heapEnd, 1));
    }
}
