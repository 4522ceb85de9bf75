using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Http;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// output_http hosted in the test process on 127.0.0.1 and a free port, with one hand-fed input and a fake
/// clock: the HTTP output's time-outs (stall drop, snapshot wait, still budget, pause keep-alive) run on
/// <see cref="Time"/>, so tests advance them instead of waiting. Kestrel's own connection time-outs do not
/// (its heartbeat runs on the real clock).
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping;
    private readonly Streamer _streamer;

    private InProcessServer(WatchedClock time, HandFedSource source, CameraStream input, PauseCoordinator pause, HttpOutput output, CancellationTokenSource stopping, Streamer streamer)
    {
        Time = time;
        Source = source;
        Input = input;
        Pause = pause;
        Output = output;
        _stopping = stopping;
        _streamer = streamer;
    }

    public WatchedClock Time { get; }

    public HandFedSource Source { get; }

    public CameraStream Input { get; }

    public PauseCoordinator Pause { get; }

    public HttpOutput Output { get; }

    public int Port => Output.BoundPort;

    /// <param name="configure">Changes the output's options (-hosts, -n, …) from the defaults: port 0 on 127.0.0.1.</param>
    /// <param name="stillInterval">The input's -still_interval (default: the program's default).</param>
    public static async Task<InProcessServer> StartAsync(Func<HttpOutputOptions, HttpOutputOptions>? configure = null, TimeSpan? stillInterval = null)
    {
        var time = new WatchedClock();
        var stopping = new CancellationTokenSource();
        var streamer = new Streamer(time, stopping.Token);
        var source = new HandFedSource();
        var input = new CameraStream(0, "input_handfed.so", "", source, time, NullLogger.Instance)
        {
            StillInterval = stillInterval ?? CameraStream.DefaultStillInterval,
        };
        streamer.Inputs.Add(input);
        var pause = new PauseCoordinator(streamer.Inputs, lockFile: null, TimeSpan.FromHours(1), time, NullLogger.Instance);
        streamer.Pause = pause;
        var options = new HttpOutputOptions(0, "127.0.0.1", WwwFolder: null, Credentials: null, NoCommands: false);
        options = configure?.Invoke(options) ?? options;
        var output = new HttpOutput(new OutputContext(0, HttpOutput.Name, " -p 0 -l 127.0.0.1", streamer, time, NullLoggerFactory.Instance), options);
        streamer.Outputs.Add(output);
        pause.Start();
        input.Start();
        await output.StartAsync(CancellationToken.None);
        await source.Running.WaitAsync(Eventually.DefaultTimeout);
        return new InProcessServer(time, source, input, pause, output, stopping, streamer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Output.DisposeAsync();
        // As the program does at shutdown: the scaled streams' workers stop after the outputs.
        await _streamer.DisposeShapesAsync();
        await Input.DisposeAsync();
        Pause.Dispose();
        _stopping.Dispose();
    }
}
