using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// The log lines of input_uvc.so, in one place because several of its parts write the same ones (a
/// setting not applied is said by the session and by the control set alike). Event ids 300-311, and 1530.
/// </summary>
internal static partial class UvcLog
{
    [LoggerMessage(EventId = LogEvents.UvcOptionWarning, Level = LogLevel.Warning, Message = "input_uvc.so: {Warning}")]
    public static partial void OptionWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = LogEvents.UvcSettingFailed, Level = LogLevel.Warning, Message = "input {InputId}: {Setting} not applied: {Reason}")]
    public static partial void SettingFailed(ILogger logger, int inputId, string setting, string reason);

    [LoggerMessage(EventId = LogEvents.UvcResolutionCoerced, Level = LogLevel.Information, Message = "input {InputId}: the specified resolution {Width}x{Height} is unavailable, using {ActualWidth}x{ActualHeight} instead")]
    public static partial void ResolutionCoerced(ILogger logger, int inputId, int width, int height, int actualWidth, int actualHeight);

    [LoggerMessage(EventId = LogEvents.UvcFpsCoerced, Level = LogLevel.Information, Message = "input {InputId}: fps coerced from {Fps} to {Actual}")]
    public static partial void FpsCoerced(ILogger logger, int inputId, int fps, double actual);

    [LoggerMessage(EventId = LogEvents.UvcStreaming, Level = LogLevel.Information, Message = "input {InputId}: {Device} streaming {Format} {Width}x{Height}")]
    public static partial void Streaming(ILogger logger, int inputId, string device, string format, int width, int height);

    [LoggerMessage(EventId = LogEvents.UvcSourceChanged, Level = LogLevel.Information, Message = "input {InputId}: the video source changed, reconfiguring")]
    public static partial void SourceChanged(ILogger logger, int inputId);

    [LoggerMessage(EventId = LogEvents.UvcCommandRefused, Level = LogLevel.Warning, Message = "input {InputId}: command for control {Id} refused: {Reason}")]
    public static partial void CommandRefused(ILogger logger, int inputId, int id, string reason);

    // Debug: Octolapse sets a dozen controls per print; MJPG_STREAMER_DEBUG=1 shows when each reached the camera.
    [LoggerMessage(EventId = LogEvents.UvcControlSet, Level = LogLevel.Debug, Message = "input {InputId}: control {Id} set to {Value}{Where}")]
    public static partial void ControlSet(ILogger logger, int inputId, int id, int value, string where);

    [LoggerMessage(EventId = LogEvents.UvcStillTaken, Level = LogLevel.Information, Message = "input {InputId}: still taken ({Bytes} bytes)")]
    public static partial void StillTaken(ILogger logger, int inputId, int bytes);

    [LoggerMessage(EventId = LogEvents.UvcStillIsStreamFrame, Level = LogLevel.Information, Message = "input {InputId}: the stream is at the still size {Width}x{Height}: ?action=still sends the next frame, with no switch")]
    public static partial void StillIsStreamFrame(ILogger logger, int inputId, int width, int height);

    [LoggerMessage(EventId = LogEvents.UvcStillFailed, Level = LogLevel.Warning, Message = "input {InputId}: still failed: {Reason}")]
    public static partial void StillFailed(ILogger logger, int inputId, string reason);

    /// <summary>Which V4L2 struct layouts this process uses and why: Information on 32-bit, where it is chosen, Debug on 64-bit.</summary>
    [LoggerMessage(EventId = LogEvents.UvcV4l2Layout, Message = "input_uvc.so: {Reason}")]
    public static partial void V4l2Layout(ILogger logger, LogLevel level, string reason);
}
