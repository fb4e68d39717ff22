using Crnn.MLNet.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace Crnn.MLNet.Hosting.Tests;

/// <summary>
/// The drawing page in a real browser against the shipped models on a real (loopback) server: strokes drawn on the
/// canvas with the mouse are read as the digits they form.
/// </summary>
public sealed class DrawingPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebApplication? _app;
    private ChromeDriver? _browser;
    private string _url = "";

    public async Task InitializeAsync()
    {
        if (BrowserFactAttribute.Chromium is null || BrowserFactAttribute.ChromeDriver is null) return;   // the test itself reports it
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCrnnRecognizer(o => { o.ModelPath = RepoModel("mnist-crnn.onnx"); o.ReloadOnChange = false; });
        builder.Services.AddCrnnTextRecognizer(o => { o.ModelPath = RepoModel("mnist-lines-crnn.onnx"); o.ReloadOnChange = false; });
        _app = builder.Build();
        _app.MapCrnnEndpoints();
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(BrowserFactAttribute.ChromeDriver)!, Path.GetFileName(BrowserFactAttribute.ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = BrowserFactAttribute.Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900");
        _browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string RepoModel(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "models", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"models/{name} was not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Draws strokes given in canvas pixels (each a list of points) with the mouse.</summary>
    private void Draw(IWebElement pad, params (int X, int Y)[][] strokes)
    {
        // Selenium offsets are from the element's centre; the canvas is shown at its own size.
        int cx = pad.Size.Width / 2, cy = pad.Size.Height / 2;
        foreach (var stroke in strokes)
        {
            var a = new Actions(_browser!).MoveToElement(pad, stroke[0].X - cx, stroke[0].Y - cy).ClickAndHold();
            for (int i = 1; i < stroke.Length; i++) a = a.MoveByOffset(stroke[i].X - stroke[i - 1].X, stroke[i].Y - stroke[i - 1].Y);
            a.Release().Perform();
        }
    }

    /// <summary>The recognised text once the page has answered every stroke.</summary>
    private string Result(IWebElement pad)
    {
        var wait = new WebDriverWait(_browser!, TimeSpan.FromSeconds(20));
        string? last = null;
        // Settled: the same result twice, 300 ms apart, with no request in flight.
        wait.Until(_ =>
        {
            string now = pad.GetDomAttribute("data-result") ?? "";
            bool settled = now.Length > 0 && now == last;
            last = now;
            if (!settled) Thread.Sleep(300);
            return settled;
        });
        return last!;
    }

    private static (int, int)[] Line(int x0, int y0, int x1, int y1, int steps = 8) =>
        Enumerable.Range(0, steps + 1).Select(i => (x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)).ToArray();

    private static (int, int)[] Ellipse(int cx, int cy, int rx, int ry, int steps = 24) =>
        Enumerable.Range(0, steps + 1).Select(i => (cx + (int)(rx * Math.Sin(2 * Math.PI * i / steps)), cy - (int)(ry * Math.Cos(2 * Math.PI * i / steps)))).ToArray();

    [BrowserFact]
    public void Digits_drawn_on_the_canvas_are_recognised()
    {
        Assert.True(_browser is not null, "Chromium or chromedriver is missing (apt-get install chromium chromium-driver)");
        _browser.Navigate().GoToUrl(_url + "/");
        new WebDriverWait(_browser, TimeSpan.FromSeconds(20)).Until(d => d.FindElement(By.TagName("body")).GetDomAttribute("data-ready") == "true");
        var pad = _browser.FindElement(By.Id("pad"));

        // One character: a vertical stroke is a 1, then (cleared) an oval is a 0.
        Draw(pad, Line(140, 50, 140, 230));
        string one = Result(pad);
        output.WriteLine($"stroke: {one}, confidence {_browser.FindElement(By.Id("confidence")).Text}");
        Assert.Equal("1", one);
        _browser.FindElement(By.Id("clear")).Click();
        Draw(pad, Ellipse(140, 140, 60, 90));
        Assert.Equal("0", Result(pad));
        Assert.NotEqual("–", _browser.FindElement(By.Id("confidence")).Text);
        Assert.NotEmpty(_browser.FindElements(By.CssSelector("#alternatives tr")));

        // A line: 1, 0, 1 side by side on the wide canvas, read by the line model.
        _browser.FindElement(By.Id("mode-read")).Click();
        pad = _browser.FindElement(By.Id("pad"));
        Assert.Equal("840", pad.GetDomAttribute("width"));
        Draw(pad, Line(300, 30, 300, 140), Ellipse(400, 85, 35, 55), Line(500, 30, 500, 140));
        string line = Result(pad);
        output.WriteLine($"line: {line}");
        Assert.Equal("101", line);
    }
}
