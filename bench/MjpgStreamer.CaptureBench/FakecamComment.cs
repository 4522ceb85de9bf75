using System.Buffers.Text;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// Reads the fake camera's COM segment ("FAKECAM frame=N size=WxH ...", right after SOI, before any scan):
/// N numbers the frames the device produced since the library was loaded, so a higher N is a newer frame.
/// </summary>
internal static class FakecamComment
{
    private static ReadOnlySpan<byte> Prefix => "FAKECAM "u8;

    /// <summary>The frame number, or false for a JPEG without the fake's comment (e.g. a placeholder picture).</summary>
    public static bool TryReadFrameNumber(ReadOnlySpan<byte> jpeg, out long frame)
    {
        frame = 0;
        return TryReadField(jpeg, "frame="u8, out var value)
            && Utf8Parser.TryParse(value, out frame, out var consumed)
            && consumed == value.Length;
    }

    /// <summary>The value of one "key=" field of the comment (the bytes up to the next space).</summary>
    public static bool TryReadField(ReadOnlySpan<byte> jpeg, ReadOnlySpan<byte> keyWithEquals, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryFindComment(jpeg, out var text))
        {
            return false;
        }

        while (!text.IsEmpty)
        {
            var space = text.IndexOf((byte)' ');
            var word = space < 0 ? text : text[..space];
            if (word.StartsWith(keyWithEquals))
            {
                value = word[keyWithEquals.Length..];
                return true;
            }

            text = space < 0 ? default : text[(space + 1)..];
        }

        return false;
    }

    private static bool TryFindComment(ReadOnlySpan<byte> jpeg, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return false;
        }

        var pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            var marker = jpeg[pos + 1];
            var length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            if (marker == 0xDA || length < 2 || pos + 2 + length > jpeg.Length)
            {
                return false;
            }

            var body = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xFE && body.StartsWith(Prefix))
            {
                var end = body.IndexOf((byte)0);
                text = (end < 0 ? body : body[..end])[Prefix.Length..];
                return true;
            }

            pos += 2 + length;
        }

        return false;
    }
}
