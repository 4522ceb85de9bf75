using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>input_exec.so through the whole server: a program's MJPEG on HTTP, and the program gone after a stop.</summary>
public sealed class ExecInputTests
{
    [Fact]
    public async Task A_programs_mjpeg_is_served_and_the_program_ends_with_the_server()
    {
        var server = await ServerProcess.StartAsync(
        [
            "-i", "input_exec.so -r 320x240 -- ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=15 -f mjpeg -",
            "-o", "output_http.so -p 0 -l 127.0.0.1",
        ]);
        await using (server)
        {
            var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
            Assert.Equal(200, snapshot.Status);
            Assert.Equal(320, HttpBehaviourTests.JpegWidth(snapshot.Body));

            var children = ChildPids(server.Pid);
            Assert.NotEmpty(children);
            Assert.Equal(0, await server.StopAsync());
            foreach (var child in children)
            {
                Assert.False(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal), $"child {child} still runs");
            }
        }
    }

    private static List<int> ChildPids(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
}
