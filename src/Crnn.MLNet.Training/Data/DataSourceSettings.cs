namespace Crnn.MLNet.Training.Data;

/// <summary>
/// Everything <see cref="DatasetLoader"/> takes from its surroundings, gathered in one place so that tests can
/// supply their own (cache folder, mirror, extra datasets) instead of changing the process environment.
/// </summary>
internal sealed record DataSourceSettings
{
    /// <summary>The value of <c>CRNN_DATA_DIR</c>, or null.</summary>
    public string? EnvironmentDataDir { get; init; }

    /// <summary>Root of the download cache.</summary>
    public required string CacheDir { get; init; }

    /// <summary>When set, downloads come from <c>{Mirror}/{folder}/{file}</c> instead of the official hosts.</summary>
    public Uri? Mirror { get; init; }

    /// <summary>Datasets known besides <see cref="DatasetCatalog.All"/> (tests).</summary>
    public IReadOnlyList<DatasetDescriptor> ExtraDatasets { get; init; } = [];

    /// <summary>The client for downloads; a shared one when null.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>A download that receives nothing for this long fails instead of hanging.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Settings from the environment variables and the user's cache folder.</summary>
    public static DataSourceSettings FromEnvironment()
    {
        string? mirror = NonEmpty(Environment.GetEnvironmentVariable(DatasetLoader.MirrorEnvironmentVariable));
        return new DataSourceSettings
        {
            EnvironmentDataDir = NonEmpty(Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable)),
            CacheDir = DatasetLoader.DefaultCacheDirectory,
            Mirror = mirror is null ? null
                : Uri.TryCreate(mirror.EndsWith('/') ? mirror : mirror + "/", UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    ? uri
                    : throw new ArgumentException($"{DatasetLoader.MirrorEnvironmentVariable}='{mirror}' is not an http(s) URL."),
        };
    }

    /// <summary>Looks a name up in the catalog and then in <see cref="ExtraDatasets"/>.</summary>
    public bool TryGetDataset(string name, out DatasetDescriptor descriptor)
    {
        if (DatasetCatalog.TryGet(name, out descriptor)) return true;
        descriptor = ExtraDatasets.FirstOrDefault(d => string.Equals(d.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return descriptor is not null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
