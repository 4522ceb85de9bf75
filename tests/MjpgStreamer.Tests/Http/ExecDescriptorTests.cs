using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// D5: every run of an input_exec child closes its pipes. 30 runs (each pause stops the child, each resume starts
/// a new one) leave the server with no more pipe descriptors than one running child needs.
/// </summary>
public sealed class ExecDescriptorTests
{
    private const int Runs = 30;

    [Fact]
    public async Task Thirty_runs_of_an_exec_child_leave_no_pipe_descriptors_behind()
    {
        var frame = Path.Combine(TestMedia.FramesFolder, "frame_001.jpg");
        await using var server = await ServerProcess.StartAsync(
        [
            "-i", $"input_exec.so -- sh -c \"while :; do cat {frame}; sleep 0.1; done\"",
            "-o", "output_http.so -p 0 -l 127.0.0.1",
        ]);
        await ServerState.WaitForAsync(server, "streaming");
        var running = ProcessProbe.CountDescriptors(server.Pid, "pipe:");
        var most = running;
        var released = int.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=pause&wait=1")).Status);
            released = Math.Min(released, ProcessProbe.CountDescriptors(server.Pid, "pipe:"));
            Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=resume&wait=1")).Status);
            most = Math.Max(most, ProcessProbe.CountDescriptors(server.Pid, "pipe:"));
        }

        Assert.True(most <= running, $"pipes: {running} with the first child running, up to {most} over {Runs} runs\n{server.Stderr}");
        Assert.True(released < running, $"pipes: {released} with the child stopped, {running} with it running: the child's pipes were not closed");
    }
}
