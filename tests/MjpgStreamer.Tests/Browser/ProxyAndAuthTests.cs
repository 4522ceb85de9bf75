using MjpgStreamer.Tests.Infrastructure;
using OpenQA.Selenium;

namespace MjpgStreamer.Tests.Browser;

/// <summary>The page where users meet it: behind OctoPi's HAProxy path "/webcam/", and behind a password (-c).</summary>
[Collection(BrowserTests.Name)]
public sealed class ProxyAndAuthTests(Chromium browser)
{
    private const string Brightness = "ctl-9963776";

    [Fact]
    public async Task Behind_haproxy_at_webcam_the_page_its_image_controls_and_stills_work()
    {
        var (server, camera) = await PageTests.StartAsync();
        await using (server)
        using (camera)
        using (var proxy = await Haproxy.StartAsync(server.Port))
        {
            await PageTests.AssertLiveAsync(browser, proxy.WebcamUrl);
            Assert.Equal(proxy.WebcamUrl + "?action=stream", browser.Js("return document.getElementById('url-0').textContent"));
            Assert.Equal(proxy.WebcamUrl + "?action=snapshot", browser.Js("return document.getElementById('url-1').textContent"));
            Assert.Equal(proxy.WebcamUrl, browser.Js("return document.getElementById('url-3').textContent"));

            await browser.UntilAsync($"document.getElementById('{Brightness}')", "the controls are there behind the proxy");
            browser.Driver.FindElement(By.Id(Brightness)).SendKeys(Keys.ArrowLeft + Keys.ArrowLeft);
            await Eventually.UntilAsync(async () => await Chromium.ControlValueAsync(server, "Brightness") == "-2", "a command through the proxy sets brightness -2", Chromium.Wait);
            await browser.UntilAsync("document.getElementById('options').textContent.includes('-br -2')", "read back through the proxy");

            browser.Driver.FindElement(By.Id("snapshot")).Click();
            await browser.UntilAsync("document.getElementById('shot-img').naturalWidth === 640", "a snapshot through the proxy");
            browser.Driver.FindElement(By.Id("shot-close")).Click();

            browser.Driver.FindElement(By.Id("pause")).Click();
            await ServerState.WaitForAsync(server, "released");
            await browser.UntilAsync("/released/.test(document.getElementById('overlay-text').textContent)", "the pause through the proxy shows the overlay");
            browser.Driver.FindElement(By.Id("pause")).Click();
            await ServerState.WaitForAsync(server, "streaming");
            await browser.UntilAsync("document.getElementById('overlay').hidden", "resumed through the proxy");
            await browser.UntilNewFramesAsync(3, "frames through the proxy after resume");
            Assert.Empty(browser.ConsoleErrors());

            // /webcam/ui/ too, and /webcam/ui redirects there.
            await PageTests.AssertLiveAsync(browser, proxy.WebcamUrl + "ui");
            Assert.Equal(proxy.WebcamUrl + "ui/", browser.Driver.Url);
            Assert.Equal(proxy.WebcamUrl + "?action=stream", browser.Js("return document.getElementById('url-0').textContent"));
            await browser.UntilAsync($"document.getElementById('{Brightness}') && document.getElementById('{Brightness}').value === '-2'", "the controls from /webcam/ui/");
            Assert.Empty(browser.ConsoleErrors());
            browser.Leave();
        }
    }

    [Fact]
    public async Task With_credentials_the_page_loads_once_they_are_given_and_everything_works()
    {
        var (server, camera) = await PageTests.StartAsync("-c user:secret");
        await using (server)
        using (camera)
        {
            // Without them: the server's 401 with its Basic challenge (a person gets the browser's password prompt).
            var refused = await RawHttp.GetResponseAsync(server.Port, "/");
            Assert.Equal(401, refused.Status);
            Assert.Equal("Basic realm=\"MJPG-Streamer\"", refused.Header("WWW-Authenticate"));
            browser.Open(server.BaseUrl);
            await browser.UntilAsync("document.readyState === 'complete'", "the refused page is done loading");
            Assert.Equal(0L, browser.Number("return document.getElementById('live') ? 1 : 0"));

            // Given (as the prompt would): the page, its stream, its JSON and its commands all pass.
            await PageTests.AssertLiveAsync(browser, $"http://user:secret@127.0.0.1:{server.Port}/");
            Assert.Equal(server.BaseUrl + "?action=stream", browser.Js("return document.getElementById('url-0').textContent"));
            await browser.UntilAsync($"document.getElementById('{Brightness}')", "the controls, read with the credentials");
            browser.Driver.FindElement(By.Id(Brightness)).SendKeys(Keys.ArrowRight);
            await Eventually.UntilAsync(
                async () => await Chromium.ControlValueAsync(server, "Brightness", "Authorization: Basic dXNlcjpzZWNyZXQ=\r\n") == "1",
                "a command with the credentials sets brightness 1", Chromium.Wait);
            await browser.UntilAsync("document.getElementById('state').textContent.includes('Uptime')", "the state, read with the credentials");
            browser.Leave();
        }
    }
}
