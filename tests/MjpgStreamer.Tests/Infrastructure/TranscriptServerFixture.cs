namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// The transcripts' configuration in one process: input_file over the frames folder at 20 fps, and three
/// HTTP outputs standing for the original's ports 18080 (www), 18081 (-c user:pass) and 18082 (-n, no www).
/// </summary>
public sealed class TranscriptServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public int Plain => Server.Ports[0];

    public int WithAuth => Server.Ports[1];

    public int NoCommands => Server.Ports[2];

    public static string InputArgs => $" -f {TestMedia.FramesFolder} -d 0.05 -e";

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(
        [
            "-i", "input_file.so" + InputArgs,
            "-o", $"output_http.so -p 0 -l 127.0.0.1 -w {TestMedia.WwwFolder}",
            "-o", $"output_http.so -p 0 -l 127.0.0.1 -c user:pass -w {TestMedia.WwwFolder}",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -n",
        ], outputs: 3);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
