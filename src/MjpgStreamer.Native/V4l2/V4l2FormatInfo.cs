namespace MjpgStreamer.Native.V4l2;

/// <summary>One VIDIOC_ENUM_FMT entry for video capture.</summary>
internal sealed record V4l2FormatInfo(int Index, uint PixelFormat, string Description, bool Compressed, bool Emulated);
