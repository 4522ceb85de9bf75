namespace MjpgStreamer.LoadClient;

/// <summary>What <see cref="MultipartStreamParser.Parse"/> stopped at.</summary>
internal enum ParseStatus
{
    /// <summary>Everything usable was consumed; the unconsumed rest is an incomplete line.</summary>
    NeedMoreData,

    /// <summary>The last byte of a part's payload was consumed; see <see cref="MultipartStreamParser.FrameLength"/>.</summary>
    FrameComplete,

    /// <summary>The stream is not what the server should send; see <see cref="MultipartStreamParser.Error"/>.</summary>
    Error,
}
