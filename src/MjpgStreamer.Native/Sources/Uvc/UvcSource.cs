using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// input_uvc.so, a V4L2 camera: the plugin's face to the server. It wires the parts together and hands
/// every request to them: <see cref="UvcCapture"/> runs the camera thread (sessions, reopen, NO SIGNAL),
/// <see cref="UvcControls"/> and <see cref="UvcFormats"/> answer input.json and the commands, which
/// reach the camera thread through a <see cref="DeviceCommandQueue"/>, and <see cref="UvcStill"/> takes
/// ?action=still. Details in README's input_uvc section.
/// </summary>
public sealed class UvcSource : IFrameSource, IStillCapture
{
    public const string PluginName = "input_uvc.so";
    public const string PluginDisplayName = "UVC webcam grabber";
    public const string ThreadName = "input_uvc";

    // 1 once the V4L2 layout line has been logged: once per process, however many inputs.
    private static int _layoutLogged;

    private readonly DeviceCommandQueue _commands = new();
    private readonly UvcControls _controls;
    private readonly UvcFormats _formats = new();
    private readonly UvcStill _still;
    private readonly UvcCapture _capture;

    internal UvcSource(UvcOptions options)
    {
        Options = options;
        _controls = new UvcControls(options);
        _still = new UvcStill(options, _controls, _commands);
        _capture = new UvcCapture(options, _controls, _formats, _still, _commands);
    }

    public static InputPlugin Plugin { get; } = new(PluginName, PluginDisplayName, UvcOptions.Specs, UvcOptions.Help, Create)
    {
        Summary = "a V4L2/UVC camera (-d DEVICE -r WxH -f FPS -y -q QUALITY ...)",
    };

    /// <summary>The camera's name (V4L2 card) once it has been opened.</summary>
    public string DisplayName => _capture.DisplayName;

    public IReadOnlyList<Control> Controls => _controls.List;

    public IReadOnlyList<VideoFormat> Formats => _formats.List;

    public UvcOptions Options { get; }

    /// <summary>The thread of the last run (tests check that it has ended).</summary>
    internal Thread? WorkerThread => _capture.Thread;

    private static UvcSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        var logger = environment.LoggerFactory.CreateLogger(PluginName);
        var parsed = UvcOptions.Parse(options, warning => UvcLog.OptionWarning(logger, warning));
        if (parsed.Raw is not null)
        {
            try
            {
                JpegEncoder.EnsureLibraryAvailable();
            }
            catch (InvalidOperationException ex)
            {
                throw new StartupException($"{PluginName}: {ex.Message}");
            }
        }

        try
        {
            // Loaded now: a bad MJPG_STREAMER_V4L2_LIB is a start-up error, and the fake camera's
            // devices exist before the first open.
            V4l2Library.EnsureLoaded();
        }
        catch (V4l2Exception ex)
        {
            throw new StartupException($"{PluginName}: {ex.Message}");
        }

        if (Interlocked.Exchange(ref _layoutLogged, 1) == 0)
        {
            var choice = V4l2Abi.CurrentChoice;
            UvcLog.V4l2Layout(logger, choice.Abi.PointerSize == 4 ? LogLevel.Information : LogLevel.Debug, choice.Reason);
        }

        return new UvcSource(parsed);
    }

    public Task RunAsync(SourceContext context, CancellationToken cancellation) => _capture.RunAsync(context, cancellation);

    /// <summary>
    /// ?action=command for this input: a V4L2 control (group 1), the size (group 2), the JPEG quality
    /// (group 3). Executed on the camera thread between two frames; the request only awaits the answer.
    /// </summary>
    public ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Group is not (CommandGroups.V4l2 or CommandGroups.Resolution or CommandGroups.JpegQuality))
        {
            return ValueTask.FromResult(-1);
        }

        var time = _capture.Context?.Time ?? TimeProvider.System;
        return _commands.SubmitAsync(command, detached => _capture.Execute(detached, null), time, cancellation);
    }

    public Task<byte[]> CaptureStillAsync(CancellationToken cancellation) => _still.CaptureAsync(_capture.Context, cancellation);

    /// <summary>The camera streams at its largest size (or at -still WxH): a still is the next frame, no switch.</summary>
    public bool StillIsStreamFrame => _capture.StillIsStreamFrame;
}
