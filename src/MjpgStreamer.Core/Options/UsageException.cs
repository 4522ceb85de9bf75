namespace MjpgStreamer.Core.Options;

/// <summary>A bad command line: the message names the problem in one line; the program exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
