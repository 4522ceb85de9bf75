using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>
/// Reads one file into a frame and checks that it is a complete JPEG, so a half-written or foreign file is
/// skipped instead of streamed.
/// </summary>
internal static class JpegFileReader
{
    /// <summary>Larger files are not JPEG frames anyone streams; refusing them bounds the pooled buffers.</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="frame"/>. <see cref="JpegFileOutcome.Invalid"/> comes with
    /// the <paramref name="problem"/> to log; the frame's contents then mean nothing.
    /// </summary>
    public static JpegFileOutcome Read(string path, Frame frame, out string? problem)
    {
        problem = null;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length == 0)
            {
                problem = "the file is empty";
            }
            else if (length > MaxFileBytes)
            {
                problem = $"the file is larger than {MaxFileBytes} bytes";
            }
            else
            {
                // Straight into the pooled frame buffer: no copy, no allocation per frame.
                var span = frame.GetWritableSpan((int)length)[..(int)length];
                var total = 0;
                while (total < span.Length)
                {
                    var n = RandomAccess.Read(handle, span[total..], total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }

                frame.SetLength(total);
                if (!JpegInfo.IsWellFormed(frame.Span))
                {
                    problem = total < length
                        ? $"the file got shorter while it was read ({total} of {length} bytes)"
                        : "not a complete JPEG (corrupt or truncated)";
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return JpegFileOutcome.Missing;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
        }

        return problem is null ? JpegFileOutcome.Good : JpegFileOutcome.Invalid;
    }
}
