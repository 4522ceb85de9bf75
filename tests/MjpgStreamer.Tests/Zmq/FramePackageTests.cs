using Google.Protobuf;
using MjpgStreamer.Zmq;

namespace MjpgStreamer.Tests.Zmq;

/// <summary>The hand-written pb.Package encoder, read back with protoc's classes for package.proto.</summary>
public sealed class FramePackageTests
{
    [Fact]
    public void A_package_parses_with_the_schema_and_keeps_every_field()
    {
        var package = new FramePackage();
        byte[][] blobs = [Blob(10, 1), Blob(300, 2), Blob(70_000, 3)];
        long[] stamps = [1_764_000_000_123_456, 0, 4_000_000_000L * 1_000_000 + 999_999];
        long[] packed = [1_764_000_001, 127, 4_294_967_295];
        for (var i = 0; i < blobs.Length; i++)
        {
            package.Add(blobs[i], stamps[i], packed[i]);
        }

        Assert.Equal(3, package.Count);
        var (buffer, length) = package.Detach();
        var parsed = Pb.Package.Parser.ParseFrom(buffer, 0, length);
        Assert.True(parsed.IsInitialized());
        Assert.Equal(3, parsed.Frame.Count);
        for (var i = 0; i < blobs.Length; i++)
        {
            var frame = parsed.Frame[i];
            Assert.True(frame.IsInitialized());
            Assert.Equal((uint)packed[i], frame.TimestampUnix);
            Assert.Equal((uint)(stamps[i] / 1_000_000), frame.TimestampS);
            Assert.Equal((uint)(stamps[i] % 1_000_000), frame.TimestampUs);
            Assert.Equal(blobs[i], frame.Blob.ToByteArray());
        }

        // Byte for byte what the protobuf runtime writes for the same message.
        Assert.Equal(parsed.ToByteArray(), buffer.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void Detach_and_Clear_start_an_empty_package()
    {
        var package = new FramePackage();
        package.Add(Blob(100, 1), 1_000_000, 1);
        _ = package.Detach();
        Assert.Equal(0, package.Count);
        Assert.Equal(0, package.Length);

        package.Add(Blob(50, 2), 2_000_000, 2);
        package.Clear();
        package.Add(Blob(60, 3), 3_000_000, 3);
        var (buffer, length) = package.Detach();
        var parsed = Pb.Package.Parser.ParseFrom(buffer, 0, length);
        var frame = Assert.Single(parsed.Frame);
        Assert.Equal(3u, frame.TimestampS);
        Assert.Equal(Blob(60, 3), frame.Blob.ToByteArray());
    }

    [Fact]
    public void An_empty_blob_is_still_written()
    {
        var package = new FramePackage();
        package.Add([], 0, 0);
        var (buffer, length) = package.Detach();
        var frame = Assert.Single(Pb.Package.Parser.ParseFrom(buffer, 0, length).Frame);
        Assert.True(frame.HasBlob);
        Assert.True(frame.IsInitialized());
        Assert.Equal(0, frame.Blob.Length);
    }

    private static byte[] Blob(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
