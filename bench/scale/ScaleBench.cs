#:project ../../src/MjpgStreamer.Native/MjpgStreamer.Native.csproj
#:property PublishAot=false

// Issue 14's scaling engine on one thread: a 1920x1080 4:2:2 JPEG (quality 80, as a camera's) scaled by JpegScaler.
// usage: bench/run-scale.sh (makes the raw picture with ffmpeg and runs this file with `dotnet run`).
using System.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;

var planesPath = args[0];
var frames = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
const int Width = 1920;
const int Height = 1080;
var raw = File.ReadAllBytes(planesPath);
var lumaSize = Width * Height;
var chromaSize = Width / 2 * Height;
var pool = new FramePool();
var source = pool.Rent();
using (var encoder = new JpegEncoder())
{
    encoder.EncodeYuvPlanes(raw.AsSpan(0, lumaSize), raw.AsSpan(lumaSize, chromaSize), raw.AsSpan(lumaSize + chromaSize, chromaSize), Width, Height, JpegEncoder.Subsampling422, 80, source);
}

Console.WriteLine($"source: {Width}x{Height} 4:2:2 quality 80, {source.Length / 1024.0:0.0} KiB; {frames} frames per shape, one thread");
Console.WriteLine("| shape | out size | out KiB | median ms/frame | p90 ms/frame | frames/s (1000/median) | allocated |");
Console.WriteLine("|---|---|---|---|---|---|---|");
using var scaler = new JpegScaler();
foreach (var shape in new[] { ShapeKey.ForWidth(480, 70), ShapeKey.ForWidth(640, 70), ShapeKey.ForWidth(960, 70), ShapeKey.ForScale(8, 70) })
{
    var length = 0;
    int outWidth = 0, outHeight = 0;
    for (var i = 0; i < 50; i++)
    {
        if (!scaler.TryScale(source.Span, shape, out var warm, out outWidth, out outHeight, out var reason))
        {
            throw new InvalidOperationException(reason);
        }

        length = warm.Length;
    }

    var times = new double[frames];
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < frames; i++)
    {
        var start = Stopwatch.GetTimestamp();
        scaler.TryScale(source.Span, shape, out _, out _, out _, out _);
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    Array.Sort(times);
    var median = times[frames / 2];
    var p90 = times[(int)(frames * 0.9)];
    Console.WriteLine($"| {shape} | {outWidth}x{outHeight} | {length / 1024.0:0.0} | {median:0.00} | {p90:0.00} | {1000 / median:0} | {allocated} B |");
}

source.Release();
