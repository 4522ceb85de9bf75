namespace MjpgStreamer.Native.Jpeg;

/// <summary>The raw layouts a camera can deliver instead of JPEG.</summary>
public enum RawPixelLayout
{
    /// <summary>Packed 4:2:2, bytes Y0 U Y1 V.</summary>
    Yuyv,

    /// <summary>Packed 4:2:2, bytes U Y0 V Y1.</summary>
    Uyvy,

    /// <summary>3 bytes per pixel, R G B.</summary>
    Rgb24,

    /// <summary>2 bytes per pixel, little endian RRRRRGGG GGGBBBBB.</summary>
    Rgb565,
}

/// <summary>
/// Rearranges raw camera pixels into what libjpeg-turbo takes: packed 4:2:2 into three planes (so the
/// encoder skips its colour conversion and chroma downsampling), RGB565 and padded RGB rows into tight RGB24.
/// </summary>
public static class PackedPixels
{
    /// <summary>Bytes of one row without padding.</summary>
    public static int RowBytes(RawPixelLayout layout, int width) => layout switch
    {
        RawPixelLayout.Rgb24 => width * 3,
        _ => width * 2,
    };

    /// <summary>
    /// Splits packed YUYV or UYVY into planes of 4:2:2 as <see cref="JpegEncoder.PlaneSize"/> gives them
    /// (Y: width x height; U, V: width/2 x height). The width must be even, as it is for every 4:2:2 format.
    /// </summary>
    public static void SplitPacked422(ReadOnlySpan<byte> packed, int width, int height, int stride, bool uyvy, Span<byte> y, Span<byte> u, Span<byte> v)
    {
        if ((width & 1) != 0)
        {
            throw new ArgumentException($"a 4:2:2 picture has an even width, not {width}", nameof(width));
        }

        var pairs = width / 2;
        CheckSource(packed, width * 2, height, stride);
        if (y.Length < width * height || u.Length < pairs * height || v.Length < pairs * height)
        {
            throw new ArgumentException("the planes are too small for the picture");
        }

        var (luma0, chromaU, luma1, chromaV) = uyvy ? (1, 0, 3, 2) : (0, 1, 2, 3);
        for (var row = 0; row < height; row++)
        {
            var source = packed.Slice(row * stride, width * 2);
            var yRow = y.Slice(row * width, width);
            var uRow = u.Slice(row * pairs, pairs);
            var vRow = v.Slice(row * pairs, pairs);
            for (int pair = 0, s = 0; pair < pairs; pair++, s += 4)
            {
                yRow[2 * pair] = source[s + luma0];
                yRow[(2 * pair) + 1] = source[s + luma1];
                uRow[pair] = source[s + chromaU];
                vRow[pair] = source[s + chromaV];
            }
        }
    }

    /// <summary>Copies RGB24 rows (dropping any row padding) or expands RGB565 into tight RGB24.</summary>
    public static void ToRgb24(ReadOnlySpan<byte> source, RawPixelLayout layout, int width, int height, int stride, Span<byte> rgb)
    {
        if (rgb.Length < width * height * 3)
        {
            throw new ArgumentException("the RGB buffer is too small for the picture", nameof(rgb));
        }

        switch (layout)
        {
            case RawPixelLayout.Rgb24:
                CheckSource(source, width * 3, height, stride);
                for (var row = 0; row < height; row++)
                {
                    source.Slice(row * stride, width * 3).CopyTo(rgb.Slice(row * width * 3, width * 3));
                }

                break;
            case RawPixelLayout.Rgb565:
                CheckSource(source, width * 2, height, stride);
                for (var row = 0; row < height; row++)
                {
                    var line = source.Slice(row * stride, width * 2);
                    var target = rgb.Slice(row * width * 3, width * 3);
                    for (int x = 0, s = 0, t = 0; x < width; x++, s += 2, t += 3)
                    {
                        var pixel = line[s] | (line[s + 1] << 8);
                        var r = (pixel >> 11) & 0x1F;
                        var g = (pixel >> 5) & 0x3F;
                        var b = pixel & 0x1F;
                        target[t] = (byte)((r << 3) | (r >> 2));
                        target[t + 1] = (byte)((g << 2) | (g >> 4));
                        target[t + 2] = (byte)((b << 3) | (b >> 2));
                    }
                }

                break;
            default:
                throw new ArgumentException($"{layout} is not an RGB layout", nameof(layout));
        }
    }

    private static void CheckSource(ReadOnlySpan<byte> source, int rowBytes, int height, int stride)
    {
        if (stride < rowBytes)
        {
            throw new ArgumentException($"a stride of {stride} is shorter than a row of {rowBytes} bytes", nameof(stride));
        }

        if (height > 0 && source.Length < ((long)stride * (height - 1)) + rowBytes)
        {
            throw new ArgumentException($"{source.Length} bytes are too few for {height} rows of {stride}", nameof(source));
        }
    }
}
