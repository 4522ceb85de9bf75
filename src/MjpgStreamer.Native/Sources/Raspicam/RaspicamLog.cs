using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>The log lines of input_raspicam.so (event ids 1520–1524), shared by its stream and its stills.</summary>
internal static partial class RaspicamLog
{
    [LoggerMessage(EventId = LogEvents.RaspicamUnsupported, Level = LogLevel.Warning, Message = "input_raspicam: {Warning}")]
    public static partial void Unsupported(ILogger logger, string warning);

    [LoggerMessage(EventId = LogEvents.RaspicamCommand, Level = LogLevel.Information, Message = "input_raspicam: rpicam-vid {Arguments}")]
    public static partial void Command(ILogger logger, string arguments);

    [LoggerMessage(EventId = LogEvents.RaspicamNotFound, Level = LogLevel.Warning, Message = "input_raspicam: neither {Programs} found in {SearchPath}; is rpicam-apps installed?")]
    public static partial void NotFound(ILogger logger, string programs, string searchPath);

    [LoggerMessage(EventId = LogEvents.RaspicamRunFailed, Level = LogLevel.Error, Message = "input_raspicam: running {Program} failed unexpectedly")]
    public static partial void RunFailed(ILogger logger, string program, Exception exception);

    [LoggerMessage(EventId = LogEvents.RaspicamStillFailed, Level = LogLevel.Warning, Message = "input_raspicam: still failed: {Reason}")]
    public static partial void StillFailed(ILogger logger, string reason);
}
