using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Plugins;

/// <summary>
/// What an output factory gets: its id and spec (<see cref="Args"/> as shown in /program.json: secrets masked by
/// <see cref="Core.Options.SecretMask"/>), the whole streamer, the clock and loggers.
/// </summary>
internal sealed record OutputContext(
    int Id,
    string Plugin,
    string Args,
    Streamer Streamer,
    TimeProvider Time,
    ILoggerFactory LoggerFactory);
