using Microsoft.Extensions.Logging;

namespace MjpgStreamer.Core.Sources;

/// <summary>What a plugin factory may use: the clock and the loggers.</summary>
public sealed record PluginEnvironment(TimeProvider Time, ILoggerFactory LoggerFactory);
