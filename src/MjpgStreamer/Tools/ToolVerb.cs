namespace MjpgStreamer.Tools;

/// <summary>
/// A helper verb: "mjpg_streamer NAME ARGS...". Run gets the words after the name and returns the exit code; it throws
/// UsageException (exit 2), HelpRequestedException (help on stdout, exit 0) or ToolFailureException (exit 1), which
/// <see cref="ToolCommands"/> prints as one line.
/// </summary>
internal sealed record ToolVerb(string Name, string Summary, Func<IReadOnlyList<string>, int> Run);
