using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// The built-in page's files on the wire (what the browser tests in Browser/ use): where they answer with and
/// without -w, their types, ETags and redirects, and the /state fields the page reads.
/// </summary>
public sealed class BuiltInPageTests
{
    private static readonly (string Name, string Type)[] PageFiles =
        [("page.css", "text/css; charset=utf-8"), ("page.js", "text/javascript; charset=utf-8"), ("favicon.ico", "image/x-icon")];

    [Fact]
    public async Task Without_www_the_page_answers_at_root_and_ui_with_its_files_and_icon()
    {
        await using var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1"]);
        var root = await RawHttp.GetResponseAsync(server.Port, "/");
        Assert.Equal(200, root.Status);
        Assert.Equal("text/html; charset=utf-8", root.Header("Content-Type"));
        Assert.Contains("<script src=\"page.js\" defer></script>", root.BodyText, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", root.Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-cache", root.Header("Cache-Control"));

        // To an HTTP/1.1 client too: the plain body with its length, never chunked, and the connection closed.
        var root11 = await RawHttp.GetResponseAsync(server.Port, "/?action=nothing_known", "HTTP/1.1");
        Assert.Equal(root.Body, root11.Body);
        Assert.Null(root11.Header("Transfer-Encoding"));
        Assert.Equal(root.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), root11.Header("Content-Length"));
        Assert.Equal("close", root11.Header("Connection"));

        var ui = await RawHttp.GetResponseAsync(server.Port, "/ui/");
        Assert.Equal(root.Body, ui.Body);
        Assert.Equal(root.BodyText, (await RawHttp.GetResponseAsync(server.Port, "/?action=nothing")).BodyText);

        // Every URL in the page is relative: nothing starts with "/" or names a host, so a path prefix works.
        var page = root.BodyText + (await RawHttp.GetResponseAsync(server.Port, "/page.js")).BodyText;
        Assert.DoesNotMatch("(href|src)=\"/", page);
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);

        foreach (var (name, type) in PageFiles)
        {
            var atRoot = await RawHttp.GetResponseAsync(server.Port, "/" + name);
            var atUi = await RawHttp.GetResponseAsync(server.Port, "/ui/" + name);
            Assert.True(atRoot.Status == 200, $"/{name}: {atRoot.StatusLine}");
            Assert.Equal(type, atRoot.Header("Content-Type"));
            Assert.Equal(atRoot.Body, atUi.Body);
            Assert.Equal(atRoot.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), atRoot.Header("Content-Length"));

            // The browser asks again with the ETag and gets a 304 without a body.
            var etag = atRoot.Header("ETag")!;
            var again = await RawHttp.GetResponseAsync(server.Port, "/" + name, extraHeaders: $"If-None-Match: {etag}\r\n");
            Assert.Equal(304, again.Status);
            Assert.Empty(again.Body);
        }

        var icon = (await RawHttp.GetResponseAsync(server.Port, "/favicon.ico")).Body;
        Assert.Equal(new byte[] { 0, 0, 1, 0 }, icon[..4]);

        var redirect = await RawHttp.GetResponseAsync(server.Port, "/ui");
        Assert.Equal(301, redirect.Status);
        Assert.Equal("ui/", redirect.Header("Location"));
        Assert.Equal(404, (await RawHttp.GetResponseAsync(server.Port, "/ui/nothing.js")).Status);

        // Other names stay the original's 501 without -w (the transcripts check the bytes).
        Assert.Equal(501, (await RawHttp.GetResponseAsync(server.Port, "/index.html")).Status);
        Assert.Equal(501, (await RawHttp.GetResponseAsync(server.Port, "/other.js")).Status);
    }

    [Fact]
    public async Task With_www_root_is_the_folder_and_the_page_stays_at_ui_and_the_icon_unless_the_folder_has_one()
    {
        var www = TestMedia.NewTempFolder();
        try
        {
            File.WriteAllText(Path.Combine(www, "index.html"), "mine\n");
            File.WriteAllText(Path.Combine(www, "page.js"), "// mine\n");
            await using (var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {www}"]))
            {
                Assert.Equal("mine\n", (await RawHttp.GetResponseAsync(server.Port, "/")).BodyText);
                Assert.Equal("// mine\n", (await RawHttp.GetResponseAsync(server.Port, "/page.js")).BodyText);
                Assert.Equal(404, (await RawHttp.GetResponseAsync(server.Port, "/page.css")).Status);
                var ui = await RawHttp.GetResponseAsync(server.Port, "/ui/");
                Assert.Contains("page.js", ui.BodyText, StringComparison.Ordinal);
                Assert.NotEqual("// mine\n", (await RawHttp.GetResponseAsync(server.Port, "/ui/page.js")).BodyText);
                var icon = await RawHttp.GetResponseAsync(server.Port, "/favicon.ico");
                Assert.Equal(200, icon.Status);
                Assert.Equal("image/x-icon", icon.Header("Content-Type"));
            }

            File.WriteAllBytes(Path.Combine(www, "favicon.ico"), [1, 2, 3]);
            await using (var server = await ServerProcess.StartAsync(["-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {www}"]))
            {
                Assert.Equal(new byte[] { 1, 2, 3 }, (await RawHttp.GetResponseAsync(server.Port, "/favicon.ico")).Body);
            }
        }
        finally
        {
            Directory.Delete(www, recursive: true);
        }
    }

    [Fact]
    public async Task State_says_which_output_answered_and_whether_it_takes_commands()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", "output_http.so -p 0 -l 127.0.0.1 -n"], outputs: 2);
        foreach (var (port, output, commands) in new[] { (server.Ports[0], 0, true), (server.Ports[1], 1, false) })
        {
            var response = await RawHttp.GetResponseAsync(port, "/state");
            var state = JsonDocument.Parse(response.Body).RootElement;
            Assert.Equal(output, state.GetProperty("output").GetInt32());
            Assert.Equal(commands, state.GetProperty("outputs")[output].GetProperty("commands").GetBoolean());
        }
    }
}
