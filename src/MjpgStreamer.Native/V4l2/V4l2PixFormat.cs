namespace MjpgStreamer.Native.V4l2;

/// <summary>The capture format as the driver negotiated it (struct v4l2_pix_format).</summary>
internal sealed record V4l2PixFormat(int Width, int Height, uint PixelFormat, int BytesPerLine, int SizeImage);
