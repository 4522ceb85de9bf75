namespace MjpgStreamer.Tools;

/// <summary>A helper verb failed (timeout, server unreachable, 401, bad JSON, file trouble): one line on stderr, exit 1.</summary>
internal sealed class ToolFailureException(string message) : Exception(message);
