namespace Crnn.MLNet.Hosting.Tests;

/// <summary>
/// A test that drives Debian's Chromium through chromedriver (packages <c>chromium</c>, <c>chromium-driver</c>; .ci/run
/// installs them). Skipped on a machine without them, except under CI (<c>CI=true</c>), where a missing browser fails.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public static readonly string? Chromium = Find("CRNN_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser");
    public static readonly string? ChromeDriver = Find("CRNN_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    public BrowserFactAttribute()
    {
        if ((Chromium is null || ChromeDriver is null) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Skip = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver).";
    }

    private static string? Find(string variable, params string[] candidates) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } set ? set : candidates.FirstOrDefault(File.Exists);
}
