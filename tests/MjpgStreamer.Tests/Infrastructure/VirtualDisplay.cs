using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// An X server of the test's own (Debian's Xvfb, which ./test.sh installs: a missing Xvfb fails the test) on a free
/// display number, ended on Dispose; with the X tools the viewer tests use: <c>xwininfo</c> (x11-utils) lists the
/// windows, <c>xwd</c> (x11-apps) takes a screenshot, and <see cref="CloseWindow"/> sends a window the
/// WM_DELETE_WINDOW message a window manager's close button sends (through libX11; no window manager runs here).
/// </summary>
public sealed partial class VirtualDisplay : IDisposable
{
    private const int Width = 1024;
    private const int Height = 768;

    private static readonly TimeSpan LookInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _xvfb;

    private VirtualDisplay(Process xvfb, string name)
    {
        _xvfb = xvfb;
        Name = name;
    }

    /// <summary>The DISPLAY value, such as ":93".</summary>
    public string Name { get; }

    /// <summary>A top-level window: its id, title and place on the screen.</summary>
    public sealed record Window(ulong Id, string Title, int X, int Y, int Width, int Height);

    /// <summary>Starts Xvfb on the first display number from 90 on whose lock file and socket are free.</summary>
    public static async Task<VirtualDisplay> StartAsync()
    {
        for (var number = 90 + Random.Shared.Next(0, 50); number < 400; number++)
        {
            if (File.Exists($"/tmp/.X{number}-lock") || File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                continue;
            }

            var start = new ProcessStartInfo("Xvfb")
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { $":{number}", "-screen", "0", $"{Width}x{Height}x24", "-nolisten", "tcp", "-noreset" })
            {
                start.ArgumentList.Add(arg);
            }

            // A missing Xvfb throws here: the test fails, as it should (test.sh installs xvfb).
            var xvfb = Process.Start(start)!;
            xvfb.BeginErrorReadLine();
            xvfb.BeginOutputReadLine();
            var display = new VirtualDisplay(xvfb, $":{number}");
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (xvfb.HasExited)
                {
                    break; // Another X server took the number meanwhile: the next one.
                }

                if (File.Exists($"/tmp/.X11-unix/X{number}") && (await display.RunAsync("xwininfo", "-root")).ExitCode == 0)
                {
                    return display;
                }

                await Task.Delay(LookInterval);
            }

            display.Dispose();
        }

        throw new InvalidOperationException("Xvfb did not start on any display number");
    }

    /// <summary>Runs an X client on this display to its exit (bounded); its stdout as bytes.</summary>
    public async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DISPLAY"] = Name;
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not exit");
        }

        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    /// <summary>
    /// The top-level windows with a title (xwininfo -root -tree), or null when xwininfo failed ("Can't query window
    /// tree" when a window goes while it looks: the caller looks again).
    /// </summary>
    public async Task<IReadOnlyList<Window>?> WindowsAsync()
    {
        var run = await RunAsync("xwininfo", "-root", "-tree");
        if (run.ExitCode != 0)
        {
            return null;
        }

        var windows = new List<Window>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(run.Stdout).Split('\n'))
        {
            var match = WindowLine().Match(line);
            if (match.Success)
            {
                int At(int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
                windows.Add(new Window(ulong.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), match.Groups[2].Value, At(5), At(6), At(3), At(4)));
            }
        }

        return windows;
    }

    /// <summary>Waits (bounded) for a window whose title matches; looks every 100 ms, since each look runs xwininfo.</summary>
    public async Task<Window> WaitForWindowAsync(Func<Window, bool> match, string what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        IReadOnlyList<Window> seen = [];
        while (watch.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)))
        {
            seen = await WindowsAsync() ?? seen;
            if (seen.FirstOrDefault(match) is { } window)
            {
                return window;
            }

            await Task.Delay(LookInterval);
        }

        Assert.Fail($"timed out waiting for {what}; windows: {string.Join("; ", seen.Select(w => w.Title))}");
        return null!;
    }

    /// <summary>Waits (bounded) until no window matches.</summary>
    public async Task WaitForNoWindowAsync(Func<Window, bool> match, string what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        while ((await WindowsAsync()) is not { } windows || windows.Any(match))
        {
            Assert.True(watch.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)), $"timed out waiting until {what}");
            await Task.Delay(LookInterval);
        }
    }

    /// <summary>A screenshot of the whole screen (xwd -root), decoded.</summary>
    public async Task<Screenshot> ScreenshotAsync()
    {
        var run = await RunAsync("xwd", "-root", "-silent");
        Assert.True(run.ExitCode == 0, "xwd -root failed: " + run.Stderr);
        return Screenshot.FromXwd(run.Stdout);
    }

    /// <summary>Sends the window WM_PROTOCOLS / WM_DELETE_WINDOW, as a window manager's close button does.</summary>
    public void CloseWindow(ulong window) => Xlib.SendDelete(Name, window);

    /// <summary>Ends the X server (SIGKILL, as a crash would), and waits for it.</summary>
    public void Kill()
    {
        try
        {
            if (!_xvfb.HasExited)
            {
                _xvfb.Kill();
                _xvfb.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _xvfb.Dispose();
    }

    // 0x200008 "MJPG-Streamer input 0: 160x120, 5.0 fps": ("mjpg_streamer" "mjpg_streamer")  160x120+192+144  +192+144
    [GeneratedRegex("""^\s*0x([0-9a-f]+) "(.*)":.*\s(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$""")]
    private static partial Regex WindowLine();

    /// <summary>An XWD screenshot (X11 "xwd" format, version 7) as RGB pixels.</summary>
    public sealed class Screenshot
    {
        private readonly byte[] _data;
        private readonly int _offset;
        private readonly int _bytesPerLine;
        private readonly int _bytesPerPixel;
        private readonly bool _littleEndian;
        private readonly uint[] _masks;

        private Screenshot(byte[] data, int offset, int width, int height, int bytesPerLine, int bitsPerPixel, bool littleEndian, uint[] masks)
        {
            _data = data;
            _offset = offset;
            Width = width;
            Height = height;
            _bytesPerLine = bytesPerLine;
            _bytesPerPixel = bitsPerPixel / 8;
            _littleEndian = littleEndian;
            _masks = masks;
        }

        public int Width { get; }

        public int Height { get; }

        public static Screenshot FromXwd(byte[] xwd)
        {
            uint Field(int index) => BinaryPrimitives.ReadUInt32BigEndian(xwd.AsSpan(index * 4));
            Assert.Equal(7u, Field(1));                       // file_version
            Assert.Equal(2u, Field(2));                       // ZPixmap
            var bitsPerPixel = (int)Field(11);
            Assert.True(bitsPerPixel is 24 or 32, $"xwd: {bitsPerPixel} bits per pixel");
            var offset = checked((int)Field(0) + ((int)Field(19) * 12)); // the header (with the window name), the colours
            return new Screenshot(xwd, offset, (int)Field(4), (int)Field(5), (int)Field(12), bitsPerPixel, Field(7) == 0, [Field(14), Field(15), Field(16)]);
        }

        public (byte R, byte G, byte B) Pixel(int x, int y)
        {
            var at = _offset + (y * _bytesPerLine) + (x * _bytesPerPixel);
            uint value = 0;
            for (var i = 0; i < _bytesPerPixel; i++)
            {
                var b = _data[at + (_littleEndian ? i : _bytesPerPixel - 1 - i)];
                value |= (uint)b << (8 * i);
            }

            byte Channel(uint mask) => (byte)((value & mask) >> BitOperations.TrailingZeroCount(mask));
            return (Channel(_masks[0]), Channel(_masks[1]), Channel(_masks[2]));
        }
    }

    /// <summary>The four libX11 calls <see cref="CloseWindow"/> needs (x86-64 and arm64 layouts of XClientMessageEvent).</summary>
    private static unsafe partial class Xlib
    {
        private const string Library = "libX11.so.6";
        private const int ClientMessage = 33;

        public static void SendDelete(string display, ulong window)
        {
            var connection = XOpenDisplay(display);
            Assert.True(connection != 0, "cannot open display " + display);
            try
            {
                var protocols = XInternAtom(connection, "WM_PROTOCOLS", 0);
                var delete = XInternAtom(connection, "WM_DELETE_WINDOW", 0);
                // XEvent is a union of 24 longs; XClientMessageEvent: type, serial, send_event, display, window,
                // message_type, format, data.l[5] (each int padded to a long on LP64).
                var xevent = stackalloc long[24];
                new Span<long>(xevent, 24).Clear();
                xevent[0] = ClientMessage;
                xevent[2] = 1;
                xevent[3] = connection;
                xevent[4] = (long)window;
                xevent[5] = (long)protocols;
                xevent[6] = 32;
                xevent[7] = (long)delete;
                Assert.True(XSendEvent(connection, window, 0, 0, xevent) != 0, "XSendEvent failed");
                _ = XFlush(connection);
            }
            finally
            {
                _ = XCloseDisplay(connection);
            }
        }

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint XOpenDisplay(string name);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        private static partial ulong XInternAtom(nint display, string name, int onlyIfExists);

        [LibraryImport(Library)]
        private static partial int XSendEvent(nint display, ulong window, int propagate, long eventMask, long* xevent);

        [LibraryImport(Library)]
        private static partial int XFlush(nint display);

        [LibraryImport(Library)]
        private static partial int XCloseDisplay(nint display);
    }
}
