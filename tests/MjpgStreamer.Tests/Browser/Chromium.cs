using System.Collections.ObjectModel;
using System.Drawing;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace MjpgStreamer.Tests.Browser;

/// <summary>
/// The browser tests share one headless Chromium (Debian's chromium through chromium-driver; test.sh installs both,
/// nothing is downloaded), and run one at a time beside no other test: a browser and a camera on a loaded
/// 2-core machine would make timing-sensitive tests elsewhere flaky, and the other way round.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserTests : ICollectionFixture<Chromium>
{
    public const string Name = "Browser";
}

/// <summary>One headless Chromium for the collection, with the helpers the page tests use.</summary>
public sealed class Chromium : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    public static readonly Size Desktop = new(1280, 900);
    public static readonly Size Phone = new(390, 844);

    /// <summary>How long a browser-side condition may take on a loaded machine before the test fails.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly ChromeDriverService _service;

    public Chromium()
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"{BrowserPath} and {DriverPath} are needed: apt-get install -y chromium chromium-driver (test.sh does)");
        }

        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        _service.SuppressInitialDiagnosticInformation = true;
        _service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-extensions",
            "--no-first-run", "--disable-background-networking", "--disable-sync", "--mute-audio", "--lang=en-US",
            $"--window-size={Desktop.Width},{Desktop.Height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        Driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(20);
    }

    public ChromeDriver Driver { get; }

    /// <summary>The repository's out/screenshots (created), where the tests leave what they saw.</summary>
    public static string ScreenshotFolder
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(dir, "MjpgStreamer.slnx")))
            {
                dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("the repository root (MjpgStreamer.slnx) is not above " + AppContext.BaseDirectory);
            }

            var folder = Path.Combine(dir, "out", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Opens <paramref name="url"/> at the desktop size in the light colour scheme, with the browser log emptied.</summary>
    public void Open(string url)
    {
        Driver.Manage().Window.Size = Desktop;
        ColorScheme("light");
        _ = Driver.Manage().Logs.GetLog(LogType.Browser);
        Driver.Navigate().GoToUrl(url);
    }

    /// <summary>Leaves the page (its stream and polls end) so the next test starts from nothing.</summary>
    public void Leave() => Driver.Navigate().GoToUrl("about:blank");

    public void ColorScheme(string scheme) =>
        Driver.ExecuteCdpCommand("Emulation.setEmulatedMedia", new Dictionary<string, object?>
        {
            ["features"] = new object[] { new Dictionary<string, object> { ["name"] = "prefers-color-scheme", ["value"] = scheme } },
        });

    public object? Js(string script, params object[] args) => Driver.ExecuteScript(script, args);

    public string Text(string id) => Js($"return (document.getElementById('{id}') || {{}}).textContent || ''") as string ?? "";

    public long Number(string script) => Convert.ToInt64(Js(script), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many frames the live view has shown.</summary>
    public long FramesShown => Number("return document.getElementById('view') ? +document.getElementById('view').dataset.frames : -1");

    /// <summary>Waits (bounded) until a JavaScript expression is true in the page; the failure shows <paramref name="what"/> and the page's state.</summary>
    public Task UntilAsync(string expression, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(
            async () =>
            {
                // Looking every 50 ms is enough for a browser and leaves the cores to it and the server.
                await Task.Delay(50);
                return Js("return !!(" + expression + ")") is true;
            },
            () => $"{what} ({expression}); page: overlay '{Text("overlay-text")}', conn '{Text("conn")}', frames {FramesShown}, controls status '{Text("controls-status")}'",
            timeout ?? Wait);

    /// <summary>Waits until the live view has shown <paramref name="more"/> frames beyond those shown now.</summary>
    public Task UntilNewFramesAsync(int more, string what)
    {
        var start = FramesShown;
        return UntilAsync($"+document.getElementById('view').dataset.frames >= {start + more}", what);
    }

    /// <summary>A hash of the pixels of the picture the live view shows (drawn on a canvas).</summary>
    public long LivePixelHash() => Number("""
        const img = document.getElementById('live');
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let h = 0;
        for (let i = 0; i < d.length; i += 3) h = (Math.imul(h, 31) + d[i]) | 0;
        return h;
        """);

    /// <summary>Saves a screenshot of the viewport under out/screenshots; returns its path.</summary>
    public string Screenshot(string name)
    {
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The browser console's errors since the last look (failed loads show up here: a 404 favicon, a 501).</summary>
    public IReadOnlyList<string> ConsoleErrors()
    {
        ReadOnlyCollection<LogEntry> entries = Driver.Manage().Logs.GetLog(LogType.Browser);
        return [.. entries.Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message)];
    }

    public static async Task<JsonElement> ControlAsync(ServerProcess server, string name, string extraHeaders = "")
    {
        var doc = await ServerState.GetJsonAsync(server, "/input.json", extraHeaders);
        foreach (var control in doc.GetProperty("controls").EnumerateArray())
        {
            if (control.GetProperty("name").GetString() == name)
            {
                return control;
            }
        }

        throw new Xunit.Sdk.XunitException($"no control '{name}' in /input.json");
    }

    public static async Task<string> ControlValueAsync(ServerProcess server, string name, string extraHeaders = "") =>
        (await ControlAsync(server, name, extraHeaders)).GetProperty("value").GetString()!;

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            _service.Dispose();
        }
    }
}
