using MjpgStreamer.Tests.Infrastructure;
using OpenQA.Selenium;

namespace MjpgStreamer.Tests.Browser;

/// <summary>
/// The built-in page in a real browser against the published server: the fake camera (input 0, 640x480, stills at
/// its largest size 1920x1080) and the test pattern (input 1, 320x240).
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class PageTests(Chromium browser)
{
    private const string Brightness = "ctl-9963776";
    private const string WhiteBalanceAuto = "ctl-9963788";
    private const string WhiteBalanceTemperature = "ctl-9963802";
    private const string ExposureAuto = "ctl-10094849";
    private const string ExposureAbsolute = "ctl-10094850";

    internal static async Task<(ServerProcess Server, FakeCamera Camera)> StartAsync(string outputOptions = "", params (string Key, string Value)[] environment)
    {
        var camera = new FakeCamera();
        try
        {
            return (await StartAsync(camera, "-p 0 " + outputOptions, environment), camera);
        }
        catch
        {
            camera.Dispose();
            throw;
        }
    }

    private static Task<ServerProcess> StartAsync(FakeCamera camera, string outputOptions, params (string Key, string Value)[] environment) =>
        ServerProcess.StartAsync(
            [
                "-i", $"input_uvc.so -d {camera.Device} -r 640x480 -f 10",
                "-i", "input_testpattern.so -r 320x240 -f 10",
                "-o", $"output_http.so -l 127.0.0.1 {outputOptions}",
            ],
            environment: camera.Environment(environment));

    /// <summary>The page at <paramref name="url"/> shows live frames of the camera (640x480).</summary>
    internal static async Task AssertLiveAsync(Chromium browser, string url)
    {
        browser.Open(url);
        await browser.UntilAsync("document.getElementById('live').naturalWidth === 640", "the live view shows the camera's 640x480 frames");
        await browser.UntilNewFramesAsync(3, "the live view keeps showing new frames");
        await browser.UntilAsync("document.getElementById('overlay').hidden", "no overlay over a streaming camera");
    }

    [Fact]
    public async Task The_live_view_shows_changing_frames_of_each_input_with_its_figures_and_urls()
    {
        var (server, camera) = await StartAsync();
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            await browser.UntilAsync("document.getElementById('st-size').textContent === '640×480'", "the size shown is the frames'");
            await browser.UntilAsync("parseFloat(document.getElementById('st-fps').textContent) > 0", "a frame rate is measured");
            await browser.UntilAsync("/^-?\\d+ ms$/.test(document.getElementById('st-lat').textContent)", "a latency is shown (X-Timestamp)");
            Assert.Equal(server.BaseUrl + "?action=stream", browser.Js("return document.getElementById('url-0').textContent"));
            Assert.Equal(server.BaseUrl + "?action=snapshot", browser.Js("return document.getElementById('url-1').textContent"));
            Assert.Equal(server.BaseUrl + "?action=still", browser.Js("return document.getElementById('url-2').textContent"));
            await browser.UntilAsync("/Uptime/.test(document.getElementById('state').textContent) && /Input 1/.test(document.getElementById('state').textContent)", "the state panel lists the inputs");
            await browser.UntilAsync("document.getElementById('options').textContent.includes('-br 0') && document.getElementById('options').textContent.includes('-pl 50hz')", "the camera's settings as input_uvc.so options");
            await browser.UntilAsync("/Output 0port \\d+ · 1 stream client · \\d+(\\.\\d)? [KM]?B\\/s/.test(document.getElementById('state').textContent)", "the state panel shows this page's stream client and its bytes per second");
            await browser.UntilAsync("/Input 0Fake Camera 0: streaming · [\\d.]+ fps · 640×480 · 1 viewer/.test(document.getElementById('state').textContent)", "the state panel shows the camera streaming to one viewer");

            // The other input, chosen in the selector: the test pattern moves, so two grabs differ.
            Assert.Equal(false, browser.Js("return document.getElementById('pick-wrap').hidden"));
            browser.Js("const p = document.getElementById('pick'); p.value = '1'; p.dispatchEvent(new Event('change'));");
            await browser.UntilAsync("document.getElementById('live').naturalWidth === 320", "the live view shows the test pattern's 320x240 frames");
            var first = browser.LivePixelHash();
            await browser.UntilNewFramesAsync(3, "the test pattern's frames keep coming");
            Assert.NotEqual(first, browser.LivePixelHash());
            Assert.Equal(server.BaseUrl + "?action=stream_1", browser.Js("return document.getElementById('url-0').textContent"));
            // Its one control, the JPEG quality (group 3), works as a camera's do; it has no input_uvc.so option.
            await browser.UntilAsync("document.getElementById('ctl-1') && !document.getElementById('ctl-9963776')", "the test pattern's controls replace the camera's");
            browser.Driver.FindElement(By.Id("ctl-1")).SendKeys(Keys.ArrowLeft + Keys.ArrowLeft);
            await Eventually.UntilAsync(
                async () => (await ServerState.GetJsonAsync(server, "/input_1.json")).GetProperty("controls")[0].GetProperty("value").GetString() == "78",
                "/input_1.json says the test pattern's JPEG quality is 78", Chromium.Wait);
            Assert.Equal("", browser.Text("options"));

            // The same page at /ui/, with the API one folder up.
            await AssertLiveAsync(browser, server.BaseUrl + "ui/");
            Assert.Equal(server.BaseUrl + "?action=stream", browser.Js("return document.getElementById('url-0').textContent"));
            Assert.Equal(1L, browser.Number("return document.querySelectorAll('#controls input[type=range]').length > 3 ? 1 : 0"));
            Assert.Empty(browser.ConsoleErrors());
            browser.Leave();
        }
    }

    [Fact]
    public async Task Controls_change_the_camera_follow_its_auto_modes_and_reset_to_defaults()
    {
        var (server, camera) = await StartAsync();
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            await browser.UntilAsync($"document.getElementById('{Brightness}')", "the brightness slider is there");

            // An inactive control (white balance temperature while auto is on) is disabled, and says why.
            Assert.Equal(true, browser.Js($"return document.getElementById('{WhiteBalanceTemperature}').disabled"));
            Assert.Contains("inactive", browser.Text(WhiteBalanceTemperature + "-why"), StringComparison.Ordinal);
            Assert.Equal(true, browser.Js($"return document.getElementById('{ExposureAbsolute}').disabled"));
            Assert.Equal("White Balance Temperature", browser.Js($"return document.querySelector('label[for={WhiteBalanceTemperature}]').textContent"));

            // Every control has a label (or is a labelled button).
            Assert.Equal(0L, browser.Number("return [...document.querySelectorAll('#controls input, #controls select, #controls button')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).length"));

            // The keyboard moves the slider: each step is sent (throttled) and read back.
            browser.Driver.FindElement(By.Id(Brightness)).SendKeys(Keys.ArrowRight + Keys.ArrowRight + Keys.ArrowRight);
            await Eventually.UntilAsync(async () => await Chromium.ControlValueAsync(server, "Brightness") == "3", "/input.json says brightness 3", Chromium.Wait);
            await browser.UntilAsync("document.getElementById('options').textContent.includes('-br 3')", "the option string follows the slider");

            // Auto white balance off: the temperature becomes active once read back.
            browser.Driver.FindElement(By.Id(WhiteBalanceAuto)).Click();
            await Eventually.UntilAsync(async () => await Chromium.ControlValueAsync(server, "White Balance Temperature, Auto") == "0", "/input.json says auto white balance off", Chromium.Wait);
            await browser.UntilAsync($"!document.getElementById('{WhiteBalanceTemperature}').disabled", "the white balance temperature is active without auto");
            await browser.UntilAsync("document.getElementById('options').textContent.includes('-wb 4600')", "the option string has the temperature");

            // A menu: manual exposure unlocks the exposure time.
            browser.Js($"const s = document.getElementById('{ExposureAuto}'); s.value = '1'; s.dispatchEvent(new Event('change'));");
            await browser.UntilAsync($"!document.getElementById('{ExposureAbsolute}').disabled", "the exposure time is active in manual mode");
            await browser.UntilAsync("document.getElementById('options').textContent.includes('-ex 250')", "the option string has the exposure time");

            browser.Driver.FindElement(By.Id("reset")).Click();
            await Eventually.UntilAsync(
                async () => await Chromium.ControlValueAsync(server, "Brightness") == "0"
                    && await Chromium.ControlValueAsync(server, "White Balance Temperature, Auto") == "1"
                    && await Chromium.ControlValueAsync(server, "Exposure, Auto") == "3",
                "reset to defaults puts brightness, auto white balance and auto exposure back", Chromium.Wait);
            await browser.UntilAsync($"document.getElementById('{WhiteBalanceTemperature}').disabled && document.getElementById('{Brightness}').value === '0'", "the page shows the defaults again");

            // The slider works on after the reset, up to the value it had before.
            browser.Driver.FindElement(By.Id(Brightness)).SendKeys(Keys.ArrowRight + Keys.ArrowRight + Keys.ArrowRight);
            await Eventually.UntilAsync(async () => await Chromium.ControlValueAsync(server, "Brightness") == "3", "/input.json says brightness 3 again", Chromium.Wait);
            Assert.Empty(browser.ConsoleErrors());
            browser.Leave();
        }
    }

    [Fact]
    public async Task Pause_shows_the_overlay_and_resume_brings_live_frames_back_without_a_reload()
    {
        var (server, camera) = await StartAsync();
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            browser.Js("window.notReloaded = true");
            browser.Driver.FindElement(By.Id("pause")).Click();
            await browser.UntilAsync("/released/.test(document.getElementById('overlay-text').textContent) && !document.getElementById('overlay').hidden", "the overlay says the camera is released");
            await ServerState.WaitForAsync(server, "released");
            Assert.Contains("camera released", browser.Text("pause-state"), StringComparison.Ordinal);
            browser.Screenshot("desktop-paused");
            Assert.Equal(true, browser.Js("return document.getElementById('pause').checked"));

            browser.Driver.FindElement(By.Id("pause")).Click();
            await ServerState.WaitForAsync(server, "streaming");
            await browser.UntilAsync("document.getElementById('overlay').hidden", "the overlay is gone after resume");
            await browser.UntilNewFramesAsync(5, "live frames come back after resume");
            Assert.Equal(true, browser.Js("return window.notReloaded === true"));
            Assert.Equal(false, browser.Js("return document.getElementById('pause').checked"));
            browser.Leave();
        }
    }

    [Fact]
    public async Task The_view_says_no_signal_and_reconnects_by_itself_when_the_camera_or_the_server_comes_back()
    {
        // The camera is unplugged after its 40th frame and back 5 s later.
        var camera = new FakeCamera();
        using (camera)
        {
            var server = await StartAsync(camera, "-p 0", ("FAKECAM_UNPLUG_AFTER_FRAMES", "40"), ("FAKECAM_REPLUG_AFTER_MS", "5000"));
            var port = server.Port;
            await using (server)
            {
                await AssertLiveAsync(browser, server.BaseUrl);
                browser.Js("window.notReloaded = true");
                await browser.UntilAsync("/NO SIGNAL/.test(document.getElementById('overlay-text').textContent) && !document.getElementById('overlay').hidden", "the overlay says NO SIGNAL while the camera is unplugged");
                browser.Screenshot("desktop-no-signal");
                await browser.UntilAsync("document.getElementById('overlay').hidden", "the overlay goes once the camera is back");
                await browser.UntilNewFramesAsync(3, "the camera's frames come back");
                Assert.Equal(0, await server.StopAsync());
            }

            // The server goes away and comes back on the same port: the page reconnects without a reload.
            await browser.UntilAsync("/Reconnecting/.test(document.getElementById('overlay-text').textContent)", "the overlay says it is reconnecting");
            Assert.Equal("reconnecting…", browser.Text("conn"));
            await using (var again = await StartAsync(camera, $"-p {port}"))
            {
                await browser.UntilAsync("document.getElementById('overlay').hidden && document.getElementById('conn').textContent === 'live'", "the view reconnects to the server", TimeSpan.FromSeconds(30));
                await browser.UntilNewFramesAsync(3, "frames from the restarted server");
                Assert.Equal(true, browser.Js("return window.notReloaded === true"));
                browser.Leave();
            }
        }
    }

    [Fact]
    public async Task Snapshot_and_still_open_images_of_the_right_size()
    {
        var (server, camera) = await StartAsync();
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            browser.Driver.FindElement(By.Id("snapshot")).Click();
            await browser.UntilAsync("document.getElementById('shot').open && document.getElementById('shot-img').naturalWidth === 640 && document.getElementById('shot-img').naturalHeight === 480", "the snapshot opens at the stream's 640x480");
            await browser.UntilAsync("document.getElementById('shot-info').textContent.startsWith('640×480')", "the snapshot's size is shown");
            Assert.StartsWith("blob:", (string)browser.Js("return document.getElementById('shot-save').href")!, StringComparison.Ordinal);
            browser.Driver.FindElement(By.Id("shot-close")).Click();
            await browser.UntilAsync("!document.getElementById('shot').open", "the dialog closes");

            browser.Driver.FindElement(By.Id("still")).Click();
            await browser.UntilAsync("document.getElementById('shot').open && document.getElementById('shot-img').naturalWidth === 1920 && document.getElementById('shot-img').naturalHeight === 1080", "the still opens at the camera's largest size, 1920x1080");
            await browser.UntilAsync("/^1920×1080 · .* · took \\d+ ms \\(camera \\d+ ms\\)$/.test(document.getElementById('shot-info').textContent)", "the still's size and how long it took are shown");
            browser.Screenshot("still-dialog");
            browser.Driver.FindElement(By.Id("shot-close")).Click();

            // The stream kept its own size meanwhile.
            await browser.UntilNewFramesAsync(3, "the stream goes on after the still");
            Assert.Equal(640L, browser.Number("return document.getElementById('live').naturalWidth"));
            browser.Leave();
        }
    }

    [Fact]
    public async Task Without_commands_the_controls_are_read_only_and_say_why()
    {
        var (server, camera) = await StartAsync("-n");
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            await browser.UntilAsync("!document.getElementById('controls-note').hidden && document.getElementById('controls-note').textContent.includes('-n')", "the controls say commands are off (-n)");
            await browser.UntilAsync($"document.getElementById('{Brightness}') && document.getElementById('{Brightness}').disabled", "the brightness slider is read-only");
            Assert.Equal(0L, browser.Number("return [...document.querySelectorAll('#controls input, #controls select')].filter(e => !e.disabled).length"));
            Assert.Equal(true, browser.Js("return document.getElementById('pause').disabled && document.getElementById('reset').disabled"));
            Assert.Contains("-n", browser.Text("pause-state"), StringComparison.Ordinal);
            browser.Leave();
        }
    }

    [Fact]
    public async Task Screenshots_at_desktop_and_phone_widths_in_light_and_dark()
    {
        var (server, camera) = await StartAsync();
        await using (server)
        using (camera)
        {
            await AssertLiveAsync(browser, server.BaseUrl);
            await browser.UntilAsync(Settled, "figures, state and options are filled in");
            AssertFitsWidth();
            browser.Screenshot("desktop-light");
            browser.Driver.Manage().Window.Size = new System.Drawing.Size(Chromium.Desktop.Width, 1400);
            await browser.UntilAsync("window.innerHeight > 1250", "a tall desktop window for the whole page");
            browser.Screenshot("desktop-light-full");
            browser.Driver.Manage().Window.Size = Chromium.Desktop;
            browser.ColorScheme("dark");
            await browser.UntilAsync("getComputedStyle(document.body).backgroundColor === 'rgb(15, 19, 24)'", "the dark scheme follows the system setting");
            browser.Screenshot("desktop-dark");

            browser.ColorScheme("light");
            browser.Js("const p = document.getElementById('pick'); p.value = '1'; p.dispatchEvent(new Event('change'));");
            await browser.UntilAsync("document.getElementById('live').naturalWidth === 320 && document.getElementById('ctl-1')", "the test pattern with its control");
            await browser.UntilAsync(Settled.Replace("640×480", "320×240", StringComparison.Ordinal), "the test pattern's figures and state");
            browser.Screenshot("desktop-testpattern");
            browser.Js("const p = document.getElementById('pick'); p.value = '0'; p.dispatchEvent(new Event('change'));");
            await browser.UntilAsync("document.getElementById('live').naturalWidth === 640", "back to the camera");
            browser.ColorScheme("dark");

            browser.Driver.Manage().Window.Size = Chromium.Phone;
            await browser.UntilAsync("window.innerWidth <= 400", "the window has a phone's width");
            await browser.UntilNewFramesAsync(2, "frames go on at phone width");
            AssertFitsWidth();
            browser.Screenshot("phone-dark");
            browser.ColorScheme("light");
            browser.Screenshot("phone-light");
            browser.Driver.Manage().Window.Size = new System.Drawing.Size(Chromium.Phone.Width, 2600);
            await browser.UntilAsync("window.innerHeight > 2000", "a tall phone-width window for the whole page");
            browser.Screenshot("phone-light-full");
            browser.Leave();
        }
    }

    /// <summary>The figures under the view, the state panel (this page as the input's one viewer) and the options are filled in.</summary>
    private const string Settled = "/^\\d/.test(document.getElementById('st-fps').textContent) && document.getElementById('st-size').textContent === '640×480'"
        + " && /\\d+ ms/.test(document.getElementById('st-lat').textContent) && /640×480 · 1 viewer/.test(document.getElementById('state').textContent)";

    /// <summary>Nothing on the page is wider than the window (no sideways scrolling on a phone).</summary>
    private void AssertFitsWidth() =>
        Assert.Equal(true, browser.Js("return document.documentElement.scrollWidth <= window.innerWidth"));
}
