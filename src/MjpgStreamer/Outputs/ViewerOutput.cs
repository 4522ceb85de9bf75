using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Viewer;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Outputs;

/// <summary>
/// output_viewer.so: one input's frames in a desktop window (SDL 2, loaded only when this output is used; libjpeg-turbo
/// decodes into the window's texture). One thread of its own owns SDL: it waits for the input's next frame (latest frame
/// wins: a slow window skips frames) and reads the window's events at least every <see cref="PumpInterval"/>, so the
/// close button works while no frame comes. Closing the window ends this output only; the server and its other outputs
/// go on. No display, or no SDL 2, is a start-up failure.
/// </summary>
internal sealed partial class ViewerOutput : IOutput
{
    public const string Name = "output_viewer.so";

    /// <summary>The longest the viewer's thread goes without reading the window's events.</summary>
    public static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "SDL output plugin",
        [new OptionSpec("i", true, "i", "input")],
        PluginHelp.Format(
            "output",
            "SDL output plugin",
            ("[-i | --input ]", "read frames from the specified input plugin (default 0);\nthe window shows them (SDL 2: Debian libsdl2-2.0-0) on\nDISPLAY or WAYLAND_DISPLAY; closing it ends this output only")),
        static parsed =>
        {
            var input = parsed.GetInt("i", 0, 0);
            return context => new ViewerOutput(context, input);
        })
    {
        Summary = "shows an input in a desktop window, SDL 2 (-i INPUT)",
    };

    // SDL's video belongs to one thread of the process: one viewer at a time.
    private static int s_running;

    private readonly OutputContext _context;
    private readonly int _input;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _frameReady = new(false, 0);
    private readonly Action _signalFrameReady;
    private readonly Lock _gate = new();
    private Thread? _thread;
    private FrameSubscriber? _subscriber;
    private string _window = "starting";
    private string _videoDriver = "";
    private string _renderer = "";
    private string _sdlVersion = "";
    private int _width;
    private int _height;
    private long _shown;
    private long _decodeFailures;
    private double _fps;
    private bool _faulted;

    public ViewerOutput(OutputContext context, int input)
    {
        _context = context;
        _input = input;
        _logger = context.LoggerFactory.CreateLogger("output_viewer");
        _signalFrameReady = _frameReady.Set;
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args => _context.Args;

    public string DisplayName => "SDL output plugin";

    /// <summary>False only when the viewer's thread failed; a window the user closed is a normal end.</summary>
    public bool IsAlive
    {
        get
        {
            lock (_gate)
            {
                return !_faulted;
            }
        }
    }

    public string? ReadyText => null;

    public async Task StartAsync(CancellationToken cancellation)
    {
        var inputs = _context.Streamer.Inputs.Count;
        if (_input >= inputs)
        {
            throw new StartupException($"{Plugin}: -i {_input} but there {(inputs == 1 ? "is 1 input" : $"are {inputs} inputs")} (numbered from 0)");
        }

        // Before a thread: the common reasons, without touching SDL.
        if ((SdlViewerWindow.MissingDisplay(Environment.GetEnvironmentVariable) ?? SdlViewerWindow.MissingLibrary()) is { } reason)
        {
            throw new StartupException($"{Plugin}: {reason}");
        }

        if (Interlocked.CompareExchange(ref s_running, 1, 0) != 0)
        {
            throw new StartupException($"{Plugin}: only one {Name} per server (SDL's video belongs to one thread)");
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "output_viewer" };
        _thread = thread;
        thread.Start();
        await _opened.Task.WaitAsync(cancellation);
    }

    private void Run()
    {
        SdlViewerWindow window;
        try
        {
            window = SdlViewerWindow.Open(TitleWaiting(), LoseDisplay);
        }
        catch (InvalidOperationException e)
        {
            lock (_gate)
            {
                _window = "failed";
            }

            Interlocked.Exchange(ref s_running, 0);
            _opened.TrySetException(new StartupException($"{Plugin}: {e.Message}"));
            _finished.TrySetResult();
            return;
        }

        lock (_gate)
        {
            _window = "open";
            _videoDriver = window.VideoDriver;
            _renderer = window.Renderer;
            _sdlVersion = window.SdlVersion;
        }

        LogOpened(_logger, Id, _input, window.VideoDriver, window.Renderer, window.SdlVersion);

        _opened.TrySetResult();
        var end = "stopped";
        try
        {
            end = Show(window, _context.Streamer.Inputs[_input].Hub, _stop.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                _faulted = true;
            }

            LogFailed(_logger, Id, e.Message);
        }
        finally
        {
            window.Dispose();
            lock (_gate)
            {
                _window = _faulted ? "failed" : end;
                _fps = 0;
            }

            if (end == "closed")
            {
                LogClosed(_logger, Id);
            }
            else if (end == "display_lost")
            {
                LogDisplayLost(_logger, Id);
            }
            Interlocked.Exchange(ref s_running, 0);
            _finished.TrySetResult();
        }
    }

    /// <summary>The viewer's loop; how it ended: "closed" (the window), "display_lost" or "stopped" (the server stops).</summary>
    private string Show(SdlViewerWindow window, LatestFrameHub hub, CancellationToken stop)
    {
        var time = _context.Time;
        var since = time.GetTimestamp();
        var shownSince = 0L;
        var title = "";
        var subscriber = hub.Subscribe(stop, startWithCurrent: true);
        _subscriber = subscriber;
        var pending = default(ValueTaskAwaiter<Frame?>);
        var waiting = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (!waiting)
                {
                    pending = AwaiterOf(subscriber.NextAsync());
                    waiting = true;
                    if (!pending.IsCompleted)
                    {
                        // Woken by the frame's arrival (a Set on the publishing thread), or after PumpInterval for the events.
                        _frameReady.Reset();
                        pending.UnsafeOnCompleted(_signalFrameReady);
                    }
                }

                if (!pending.IsCompleted)
                {
                    _frameReady.Wait(PumpInterval, stop);
                }

                if (pending.IsCompleted)
                {
                    waiting = false;
                    var frame = pending.GetResult();
                    if (frame is not null)
                    {
                        try
                        {
                            Display(window, frame);
                        }
                        finally
                        {
                            frame.Release();
                        }

                        shownSince++;
                    }
                }

                if (SdlViewerWindow.DisplayLost)
                {
                    return "display_lost";
                }

                var events = window.Pump();
                if (SdlViewerWindow.DisplayLost)
                {
                    return "display_lost";
                }

                if (events.HasFlag(ViewerEvents.Closed))
                {
                    return "closed";
                }

                if (events.HasFlag(ViewerEvents.Redraw))
                {
                    window.Redraw();
                }

                var elapsed = time.GetElapsedTime(since);
                if (elapsed >= TimeSpan.FromSeconds(1))
                {
                    var fps = shownSince / elapsed.TotalSeconds;
                    since = time.GetTimestamp();
                    shownSince = 0;
                    lock (_gate)
                    {
                        _fps = fps;
                    }

                    var now = window.Width == 0 ? TitleWaiting() : Title(window.Width, window.Height, fps);
                    if (now != title)
                    {
                        window.SetTitle(now);
                        title = now;
                    }
                }
            }

            return "stopped";
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return "stopped";
        }
        finally
        {
            subscriber.Dispose();
            if (waiting && pending.IsCompleted)
            {
                // A frame handed over but never shown still holds a reference.
                try
                {
                    pending.GetResult()?.Release();
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>
    /// The X server went away and this libX11 (older than 1.7) cannot be stopped from ending the process but by keeping
    /// the viewer's thread inside Xlib's handler for good: the input is let go, the state says so, and StopAsync has
    /// nothing to wait for. One frame reference may stay behind.
    /// </summary>
    private void LoseDisplay()
    {
        _subscriber?.Dispose();
        lock (_gate)
        {
            _window = "display_lost";
            _fps = 0;
        }

        LogDisplayLost(_logger, Id);
        _finished.TrySetResult();
    }

    /// <summary>The thread cannot await: it waits on the awaiter's completion (a wake) and takes the result once.</summary>
    private static ValueTaskAwaiter<Frame?> AwaiterOf(ValueTask<Frame?> next) => next.GetAwaiter();

    private void Display(SdlViewerWindow window, Frame frame)
    {
        if (window.TryShow(frame.Span, out var reason))
        {
            lock (_gate)
            {
                _shown++;
                _width = window.Width;
                _height = window.Height;
            }

            return;
        }

        lock (_gate)
        {
            _decodeFailures++;
        }

        LogDecodeFailed(_logger, Id, _input, reason ?? "unknown error");
    }

    private string TitleWaiting() => string.Create(CultureInfo.InvariantCulture, $"MJPG-Streamer input {_input}: waiting for frames");

    private string Title(int width, int height, double fps) => string.Create(CultureInfo.InvariantCulture, $"MJPG-Streamer input {_input}: {width}x{height}, {fps:0.0} fps");

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        if (_thread is not null)
        {
            await _finished.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        if (_thread is null || _finished.Task.IsCompleted)
        {
            _frameReady.Dispose();
        }
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        lock (_gate)
        {
            writer.WriteNumber("input", _input);
            writer.WriteString("window", _window);
            writer.WriteString("video_driver", _videoDriver);
            writer.WriteString("renderer", _renderer);
            writer.WriteString("sdl_version", _sdlVersion);
            writer.WriteNumber("width", _width);
            writer.WriteNumber("height", _height);
            writer.WriteNumber("fps", Math.Round(_fps, 1));
            writer.WriteNumber("frames_shown", _shown);
            writer.WriteNumber("decode_failures", _decodeFailures);
        }
    }

    [LoggerMessage(EventId = LogEvents.ViewerOpened, Level = LogLevel.Information, Message = "output {OutputId}: showing input {Input} in a window (SDL {SdlVersion}, video driver {Driver}, renderer {Renderer})")]
    private static partial void LogOpened(ILogger logger, int outputId, int input, string driver, string renderer, string sdlVersion);

    [LoggerMessage(EventId = LogEvents.ViewerClosed, Level = LogLevel.Information, Message = "output {OutputId}: the window was closed: this output stopped, the server goes on")]
    private static partial void LogClosed(ILogger logger, int outputId);

    [LoggerMessage(EventId = LogEvents.ViewerDisplayLost, Level = LogLevel.Warning, Message = "output {OutputId}: the connection to the display broke: this output stopped, the server goes on")]
    private static partial void LogDisplayLost(ILogger logger, int outputId);

    [LoggerMessage(EventId = LogEvents.ViewerDecodeFailed, Level = LogLevel.Warning, Message = "output {OutputId}: a frame of input {Input} could not be shown: {Reason}")]
    private static partial void LogDecodeFailed(ILogger logger, int outputId, int input, string reason);

    [LoggerMessage(EventId = LogEvents.ViewerFailed, Level = LogLevel.Error, Message = "output {OutputId}: the viewer failed: {Error}")]
    private static partial void LogFailed(ILogger logger, int outputId, string error);
}
