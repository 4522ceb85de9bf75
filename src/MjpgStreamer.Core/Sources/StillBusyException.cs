namespace MjpgStreamer.Core.Sources;

/// <summary>
/// A still was refused because the input already has one still in progress and one waiting (429 Too Many
/// Requests); <see cref="RetryAfter"/> says when asking again has a chance.
/// </summary>
public sealed class StillBusyException : Exception
{
    public StillBusyException()
    {
    }

    public StillBusyException(string message)
        : base(message)
    {
    }

    public StillBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StillBusyException(string message, TimeSpan retryAfter)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the caller should wait before asking again.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);
}
