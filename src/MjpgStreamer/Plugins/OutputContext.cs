using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Plugins;

/// <summary>What an output factory gets: its id and spec, the whole streamer, the clock and loggers.</summary>
internal sealed record OutputContext(
    int Id,
    string Plugin,
    string RawArgs,
    Streamer Streamer,
    TimeProvider Time,
    ILoggerFactory LoggerFactory);
