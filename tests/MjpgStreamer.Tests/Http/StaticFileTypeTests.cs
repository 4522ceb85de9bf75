using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// The -w folder serves regular files only: a FIFO (open(2) would wait for a writer), a link to /dev/zero (a read
/// that never ends), a device or a directory is a 404 at once, and stalls nothing else.
/// </summary>
public sealed class StaticFileTypeTests
{
    [Fact]
    public async Task Fifos_devices_and_links_to_them_are_404_and_a_regular_file_is_still_served()
    {
        var www = TestMedia.NewTempFolder();
        try
        {
            File.WriteAllText(Path.Combine(www, "index.html"), TestMedia.IndexHtml);
            var large = new byte[300_000];
            new Random(7).NextBytes(large);
            File.WriteAllBytes(Path.Combine(www, "large.jpg"), large);
            TestMedia.Run("mkfifo", Path.Combine(www, "fifo.html"));
            File.CreateSymbolicLink(Path.Combine(www, "fifolink.html"), Path.Combine(www, "fifo.html"));
            File.CreateSymbolicLink(Path.Combine(www, "zero.jpg"), "/dev/zero");
            File.CreateSymbolicLink(Path.Combine(www, "null.txt"), "/dev/null");
            Directory.CreateDirectory(Path.Combine(www, "folder.html"));
            await using var server = await ServerProcess.StartAsync(
                ["-i", "input_testpattern.so -r 160x120 -f 10", "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {www}"]);

            // All at once: a request that stalled would hold its answer past RawHttp's 10 s bound and fail the parse.
            var refused = new[] { "/fifo.html", "/fifolink.html", "/zero.jpg", "/null.txt", "/folder.html" };
            var answers = await Task.WhenAll(refused.Select(target => RawHttp.GetResponseAsync(server.Port, target)));
            for (var i = 0; i < refused.Length; i++)
            {
                Assert.True(answers[i].Status == 404, $"{refused[i]}: {answers[i].StatusLine}");
                Assert.Equal("404: Not Found!\r\nCould not open file", answers[i].BodyText);
            }

            var index = await RawHttp.GetResponseAsync(server.Port, "/");
            Assert.Equal(200, index.Status);
            Assert.Equal(TestMedia.IndexHtml, index.BodyText);
            var file = await RawHttp.GetResponseAsync(server.Port, "/large.jpg");
            Assert.Equal(200, file.Status);
            Assert.Equal(large, file.Body);
            Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status);
        }
        finally
        {
            Directory.Delete(www, recursive: true);
        }
    }
}
