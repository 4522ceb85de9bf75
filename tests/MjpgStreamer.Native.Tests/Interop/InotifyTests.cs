using System.Runtime.InteropServices;
using System.Text;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Interop;

public sealed class InotifyTests
{
    private static void AppendEvent(List<byte> buffer, int wd, uint mask, uint cookie, string name, int paddedLength)
    {
        var header = new byte[Inotify.EventHeaderSize];
        MemoryMarshal.Write(header, in wd);
        MemoryMarshal.Write(header.AsSpan(4), in mask);
        MemoryMarshal.Write(header.AsSpan(8), in cookie);
        var length = (uint)paddedLength;
        MemoryMarshal.Write(header.AsSpan(12), in length);
        buffer.AddRange(header);
        var nameBytes = new byte[paddedLength];
        Encoding.UTF8.GetBytes(name).CopyTo(nameBytes, 0);
        buffer.AddRange(nameBytes);
    }

    [Fact]
    public void TryReadEvent_ReturnsEveryEventOfARead()
    {
        var buffer = new List<byte>();
        AppendEvent(buffer, 1, Inotify.CloseWrite, 0, "a.jpg", 16);
        AppendEvent(buffer, 1, Inotify.MovedTo, 42, "second-name.jpg", 16);
        AppendEvent(buffer, -1, Inotify.QueueOverflow, 0, "", 0);
        AppendEvent(buffer, 1, Inotify.Ignored, 0, "", 0);
        var bytes = buffer.ToArray();

        var offset = 0;
        var seen = new List<(int, uint, uint, string)>();
        while (Inotify.TryReadEvent(bytes, ref offset, out var ev))
        {
            seen.Add((ev.Wd, ev.Mask, ev.Cookie, Encoding.UTF8.GetString(ev.Name)));
        }

        Assert.Equal(
            [(1, Inotify.CloseWrite, 0u, "a.jpg"), (1, Inotify.MovedTo, 42u, "second-name.jpg"), (-1, Inotify.QueueOverflow, 0u, ""), (1, Inotify.Ignored, 0u, "")],
            seen);
        Assert.Equal(bytes.Length, offset);
    }

    [Fact]
    public void TryReadEvent_StopsAtAnIncompleteEvent()
    {
        var buffer = new List<byte>();
        AppendEvent(buffer, 3, Inotify.CloseWrite, 0, "x.jpg", 16);
        var bytes = buffer.ToArray();

        var offset = 0;
        Assert.False(Inotify.TryReadEvent(bytes.AsSpan(0, bytes.Length - 1), ref offset, out _));
        Assert.False(Inotify.TryReadEvent(bytes.AsSpan(0, 10), ref offset, out _));
        Assert.Equal(0, offset);
    }

    [Fact]
    public void RealWatch_ReportsAClosedFileByName()
    {
        using var folder = new TempFolder();
        using var inotify = Inotify.Create(out var errno);
        Assert.False(inotify.IsInvalid, $"errno {errno}");
        var wd = Inotify.AddWatch(inotify, folder.Path, Inotify.CloseWrite | Inotify.MovedTo, out errno);
        Assert.True(wd >= 0, $"errno {errno}");

        var buffer = new byte[4096];
        Assert.Equal(0, Inotify.ReadEvents(inotify, buffer, out _)); // non-blocking: nothing yet
        File.WriteAllBytes(folder.File("one.jpg"), [1, 2, 3]);
        File.WriteAllBytes(folder.File("two.jpg"), [4, 5, 6]);
        Inotify.WaitReadable(inotify, null, 5000, out var ready, out _);
        Assert.True(ready);

        var names = new List<string>();
        int count;
        while ((count = Inotify.ReadEvents(inotify, buffer, out _)) > 0)
        {
            var offset = 0;
            while (Inotify.TryReadEvent(buffer.AsSpan(0, count), ref offset, out var ev))
            {
                Assert.Equal(wd, ev.Wd);
                Assert.Equal(Inotify.CloseWrite, ev.Mask);
                names.Add(Encoding.UTF8.GetString(ev.Name));
            }
        }

        Assert.Equal(["one.jpg", "two.jpg"], names);
    }

    [Fact]
    public void AddWatch_OnAMissingFolder_Fails()
    {
        using var inotify = Inotify.Create(out _);
        var wd = Inotify.AddWatch(inotify, "/nonexistent/folder/for/sure", Inotify.CloseWrite, out var errno);
        Assert.Equal(-1, wd);
        Assert.Equal(2, errno); // ENOENT
    }

    [Fact]
    public void EventFd_SignalWakesAWaiter_AndDrainResetsIt()
    {
        using var wake = Inotify.CreateEventFd(out _);
        Assert.False(wake.IsInvalid);

        Inotify.WaitReadable(null, wake, 0, out _, out var ready);
        Assert.False(ready);
        Inotify.Signal(wake);
        Inotify.WaitReadable(null, wake, 5000, out _, out ready);
        Assert.True(ready);
        Inotify.Drain(wake);
        Inotify.WaitReadable(null, wake, 0, out _, out ready);
        Assert.False(ready);

        wake.Dispose();
        Inotify.Signal(wake); // after close: ignored, no exception
    }
}
