using System.Runtime.Intrinsics;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// Shrinks one 8-bit plane (Y, U or V) to an exact size by bilinear interpolation with centred sample positions, for
/// the resize step after a DCT-scaled decode (<see cref="JpegScaler"/>). The ratio there is below 2 (the decode already
/// took the nearest 1/2, 1/4, 1/8 not smaller), where this filter reads every source pixel (at exactly 2 it is the
/// 2x2 average). Fixed-point weights (8 bits), tables computed once per size pair and reused, so a steady stream
/// allocates nothing. One instance per thread.
/// </summary>
public sealed unsafe class PlaneResizer
{
    private const int WeightBits = 8;
    private const int One = 1 << WeightBits;

    // Luma and chroma planes have different sizes: a few tables per direction, each kept for the next frame.
    private readonly Axis?[] _axes = new Axis?[8];
    private ushort[] _row = [];
    private int _nextAxis;

    /// <summary>Resizes <paramref name="source"/> (<paramref name="sourceWidth"/> x <paramref name="sourceHeight"/>, row stride <paramref name="sourceStride"/>) into <paramref name="destination"/>.</summary>
    public void Resize(byte* source, int sourceWidth, int sourceHeight, int sourceStride, byte* destination, int width, int height, int destinationStride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceStride, sourceWidth);
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationStride, width);
        var columns = AxisFor(sourceWidth, width);
        var rows = AxisFor(sourceHeight, height);
        if (_row.Length < sourceWidth)
        {
            _row = new ushort[sourceWidth];
        }

        fixed (int* xIndex = columns.Index)
        fixed (int* xWeight = columns.Weight)
        fixed (ushort* row = _row)
        {
            for (var y = 0; y < height; y++)
            {
                // Two passes per output row: the two source rows blended into one (16-bit, vectorised), then the
                // columns of that row blended pairwise.
                var top = source + ((nint)rows.Index[y] * sourceStride);
                var bottom = top + (rows.Index[y] + 1 < sourceHeight ? sourceStride : 0);
                BlendRows(top, bottom, rows.Weight[y], row, sourceWidth);
                var output = destination + ((nint)y * destinationStride);
                var last = sourceWidth - 1;
                for (var x = 0; x < width; x++)
                {
                    var i = xIndex[x];
                    var wx = xWeight[x];
                    var j = i < last ? i + 1 : i;
                    output[x] = (byte)(((row[i] * (One - wx)) + (row[j] * wx) + (1 << ((2 * WeightBits) - 1))) >> (2 * WeightBits));
                }
            }
        }
    }

    /// <summary>row[x] = top[x] * (1 - w) + bottom[x] * w, in 8.8 fixed point (at most 255 * 256: fits 16 bits).</summary>
    private static void BlendRows(byte* top, byte* bottom, int weight, ushort* row, int count)
    {
        var x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var topWeight = Vector128.Create((ushort)(One - weight));
            var bottomWeight = Vector128.Create((ushort)weight);
            for (; x <= count - 16; x += 16)
            {
                var (topLow, topHigh) = Vector128.Widen(Vector128.Load(top + x));
                var (bottomLow, bottomHigh) = Vector128.Widen(Vector128.Load(bottom + x));
                ((topLow * topWeight) + (bottomLow * bottomWeight)).Store(row + x);
                ((topHigh * topWeight) + (bottomHigh * bottomWeight)).Store(row + x + 8);
            }
        }

        for (; x < count; x++)
        {
            row[x] = (ushort)((top[x] * (One - weight)) + (bottom[x] * weight));
        }
    }

    private Axis AxisFor(int sourceSize, int size)
    {
        foreach (var axis in _axes)
        {
            if (axis is not null && axis.SourceSize == sourceSize && axis.Size == size)
            {
                return axis;
            }
        }

        var made = new Axis(sourceSize, size);
        _axes[_nextAxis] = made;
        _nextAxis = (_nextAxis + 1) % _axes.Length;
        return made;
    }

    /// <summary>For each output position along one axis: the first source pixel and the weight of the next one.</summary>
    private sealed class Axis
    {
        public Axis(int sourceSize, int size)
        {
            SourceSize = sourceSize;
            Size = size;
            Index = new int[size];
            Weight = new int[size];
            var ratio = (double)sourceSize / size;
            for (var i = 0; i < size; i++)
            {
                // The centre of output pixel i, in source pixel coordinates (pixel k's centre is at k).
                var position = Math.Clamp(((i + 0.5) * ratio) - 0.5, 0, sourceSize - 1);
                var first = (int)position;
                Index[i] = first;
                Weight[i] = (int)Math.Round((position - first) * One);
                if (Weight[i] == One)
                {
                    (Index[i], Weight[i]) = (Math.Min(first + 1, sourceSize - 1), 0);
                }
            }
        }

        public int SourceSize { get; }

        public int Size { get; }

        public int[] Index { get; }

        public int[] Weight { get; }
    }
}
