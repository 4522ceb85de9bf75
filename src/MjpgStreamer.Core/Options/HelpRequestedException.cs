namespace MjpgStreamer.Core.Options;

/// <summary>-h/--help was given (globally or to a plugin): print this text to stdout and exit 0.</summary>
public sealed class HelpRequestedException(string helpText) : Exception("help requested")
{
    public string HelpText { get; } = helpText;
}
