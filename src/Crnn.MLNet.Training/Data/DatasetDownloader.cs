using System.IO.Compression;
using System.Net.Http.Headers;

using static System.FormattableString;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// Downloads dataset files into the cache. Each file goes to a temporary file in the destination folder and is renamed
/// into place only after its length and checksum are verified, so the cache never holds a partial or wrong file.
/// </summary>
internal sealed class DatasetDownloader
{
    private static readonly Lazy<HttpClient> SharedClient = new(CreateClient);

    private readonly HttpClient _client;
    private readonly TimeSpan _stallTimeout;

    public DatasetDownloader(HttpClient? client = null, TimeSpan? stallTimeout = null)
    {
        _client = client ?? SharedClient.Value;
        _stallTimeout = stallTimeout ?? TimeSpan.FromSeconds(60);
    }

    private static HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None, // we want the bytes the checksum is about
        };
        // Timeout covers connecting and the response headers; the body is guarded by the stall timeout instead,
        // since a 560 MB archive may legitimately take many minutes.
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Crnn.MLNet", typeof(DatasetDownloader).Assembly.GetName().Version?.ToString(3) ?? "0"));
        return client;
    }

    /// <summary>Downloads every file of <paramref name="descriptor"/> (or its archive, then extracts) into <paramref name="folder"/>.</summary>
    public void DownloadDataset(DatasetDescriptor descriptor, Uri baseUri, string folder, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var download = descriptor.Download ?? throw new InvalidOperationException($"dataset '{descriptor.Name}' has no download source.");
        Directory.CreateDirectory(folder);
        RemoveStaleParts(folder);
        if (download.Archive is null)
        {
            foreach (string file in download.Files)
            {
                descriptor.Checksums.TryGetValue(file, out var checksum);
                DownloadFile(new Uri(baseUri, file), DatasetCache.Inside(folder, file), checksum, progress, cancellationToken);
            }
            return;
        }

        string archive = DatasetCache.Inside(folder, download.Archive);
        DownloadFile(new Uri(baseUri, download.Archive), archive, download.ArchiveChecksum, progress, cancellationToken);
        try
        {
            Extract(archive, download.Files, folder, progress, cancellationToken);
        }
        finally
        {
            // The extracted files are what we use; keeping the archive would double the disk space.
            File.Delete(archive);
        }
    }

    /// <summary>Downloads <paramref name="uri"/> to <paramref name="destination"/> atomically, verifying length and checksum.</summary>
    public void DownloadFile(Uri uri, string destination, FileChecksum? checksum, IProgress<DataProgress>? progress, CancellationToken cancellationToken) =>
        DownloadFileAsync(uri, destination, checksum, progress, cancellationToken).ConfigureAwait(false).GetAwaiter().GetResult();

    public async Task DownloadFileAsync(Uri uri, string destination, FileChecksum? checksum, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(folder);
        string name = Path.GetFileName(destination);
        string temp = DatasetCache.TempFile(folder, name);
        try
        {
            long received = 0;
            using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
            using (var response = await SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"download of {uri} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
                long? total = response.Content.Headers.ContentLength;
                progress?.Report(new DataProgress(DataStage.Downloading, uri.ToString(), 0, total));

                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long lastReport = 0;
                while (true)
                {
                    stall.CancelAfter(_stallTimeout);
                    int n;
                    try
                    {
                        n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new IOException(Invariant($"download of {uri} stalled: no data for {_stallTimeout.TotalSeconds:0} s after {received:N0} bytes."));
                    }
                    catch (IOException e)
                    {
                        // e.g. the server closed the connection before sending all it announced.
                        throw new IOException(Invariant($"download of {uri} broke off after {received:N0} of {Describe(total)} bytes: {e.Message}"), e);
                    }
                    if (n == 0) break;
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    received += n;
                    if (total is long t && received > t)
                        throw new IOException(Invariant($"download of {uri} sent more than the {t:N0} bytes it announced."));
                    if (received - lastReport >= (1 << 20))
                    {
                        lastReport = received;
                        progress?.Report(new DataProgress(DataStage.Downloading, uri.ToString(), received, total));
                    }
                }
                if (total is long expected && received != expected)
                    throw new IOException(Invariant($"download of {uri} ended after {received:N0} of {expected:N0} bytes."));
                progress?.Report(new DataProgress(DataStage.Downloading, uri.ToString(), received, total));
            }

            if (checksum is null)
            {
                progress?.Report(new DataProgress(DataStage.Warning, uri.ToString(),
                    Message: $"no checksum is known for {uri}; it was downloaded without verification."));
            }
            else
            {
                progress?.Report(new DataProgress(DataStage.Verifying, name));
                if (!checksum.Matches(temp, out string actual, cancellationToken))
                    throw new InvalidDataException(
                        $"download of {uri} failed verification: {checksum.AlgorithmName} {actual}, expected {checksum.Hex}. The file was discarded.");
            }
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            // On any failure (or cancellation) nothing half-done stays behind.
            TryDelete(temp);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // The handler's messages ("Connection refused (host:port)") do not say which download failed.
            throw new HttpRequestException($"download of {request.RequestUri} failed: {e.Message}", e, e.StatusCode);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"download of {request.RequestUri} failed: no response within {_client.Timeout.TotalSeconds:0} s.", e);
        }
    }

    private static string Describe(long? total) => total is long t ? t.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of";

    /// <summary>
    /// Extracts the wanted files from a verified zip archive (matched by the last segment of each entry's name, so entry
    /// paths cannot steer where anything is written), and records their SHA-256 in the folder's manifest.
    /// </summary>
    internal static void Extract(string archive, IReadOnlyList<string> wanted, string folder, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var wantedSet = new HashSet<string>(wanted, StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var zip = ZipFile.OpenRead(archive))
        {
            foreach (var entry in zip.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = entry.Name; // the part after the last '/'
                if (!wantedSet.Contains(name) || hashes.ContainsKey(name)) continue;
                progress?.Report(new DataProgress(DataStage.Extracting, name, 0, entry.Length));
                string destination = DatasetCache.Inside(folder, name);
                string temp = DatasetCache.TempFile(folder, name);
                try
                {
                    using (var input = entry.Open())
                    using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                        CopyBounded(input, output, entry.Length, $"{archive}: entry {entry.FullName}", cancellationToken);
                    hashes[name] = DatasetCache.Sha256(temp);
                    File.Move(temp, destination, overwrite: true);
                }
                finally
                {
                    TryDelete(temp);
                }
            }
        }
        var missing = wanted.Where(w => !hashes.ContainsKey(w)).ToArray();
        if (hashes.Count > 0) DatasetCache.AddToManifest(folder, hashes);
        if (missing.Length > 0)
            throw new InvalidDataException($"{archive}: the archive lacks {string.Join(", ", missing)}.");
    }

    // A zip entry's declared length is only a claim; never write more than it declared.
    private static void CopyBounded(Stream input, Stream output, long declared, string what, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        long copied = 0;
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            copied += n;
            if (copied > declared) throw new InvalidDataException(Invariant($"{what} holds more than the {declared:N0} bytes it declares."));
            output.Write(buffer, 0, n);
        }
        if (copied != declared) throw new InvalidDataException(Invariant($"{what} holds {copied:N0} bytes, not the {declared:N0} it declares."));
    }

    /// <summary>
    /// Deletes temporary files left by a process that was killed mid-download. Only old ones: a fresh one may belong
    /// to a download running in another process right now.
    /// </summary>
    internal static void RemoveStaleParts(string folder)
    {
        foreach (string part in Directory.EnumerateFiles(folder, ".*.part"))
            if (File.GetLastWriteTimeUtc(part) < DateTime.UtcNow - TimeSpan.FromHours(6))
                TryDelete(part);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
