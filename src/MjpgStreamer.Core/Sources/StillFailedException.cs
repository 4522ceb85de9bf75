namespace MjpgStreamer.Core.Sources;

/// <summary>A still could not be taken; the message is one line for the 503 answer and the log.</summary>
public sealed class StillFailedException : Exception
{
    public StillFailedException()
    {
    }

    public StillFailedException(string message)
        : base(message)
    {
    }

    public StillFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
