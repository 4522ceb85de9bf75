namespace MjpgStreamer.Core.Options;

/// <summary>A start-up failure the configuration caused (port in use, folder missing): one line, exit 1.</summary>
public sealed class StartupException(string message) : Exception(message);
