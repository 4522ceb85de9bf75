using System.Runtime.InteropServices;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Viewer;

/// <summary>What <see cref="SdlViewerWindow.Pump"/> saw.</summary>
[Flags]
public enum ViewerEvents
{
    None = 0,

    /// <summary>The window's close button (or the window manager's "close"): the viewer should end.</summary>
    Closed = 1,

    /// <summary>The window was uncovered or resized: the last picture should be drawn again.</summary>
    Redraw = 2,
}

/// <summary>
/// output_viewer.so's window: SDL 2 (libSDL2-2.0.so.0, bound at the first call) shows JPEG frames that libjpeg-turbo
/// decodes straight into a streaming texture (XRGB8888, locked, so no copy in between); the window takes each new
/// frame size. SDL's video calls belong to the thread that opened the window: every member must be called from it.
/// The texture and decoder are reused from frame to frame.
/// </summary>
public sealed unsafe class SdlViewerWindow : IDisposable
{
    /// <summary>The window's size before the first frame.</summary>
    public const int DefaultWidth = 640;

    public const int DefaultHeight = 480;

    // What the window's owner does when the X server is lost (one viewer per process: SDL's video is process-wide).
    private static Action? s_onDisplayLost;
    private static int s_displayLost;
    private static int s_displayLostReported;

    private readonly TurboJpegHandle _decoder;
    private readonly int _pixelFormat = BitConverter.IsLittleEndian ? TurboJpeg.PixelFormatBgrx : TurboJpeg.PixelFormatXrgb;
    private nint _window;
    private nint _renderer;
    private nint _texture;
    private uint _windowId;
    private bool _shown;

    private SdlViewerWindow(TurboJpegHandle decoder)
    {
        _decoder = decoder;
    }

    /// <summary>SDL's video driver ("x11", "wayland").</summary>
    public string VideoDriver { get; private set; } = "";

    /// <summary>The renderer SDL picked ("opengl", "opengles2", "software").</summary>
    public string Renderer { get; private set; } = "";

    /// <summary>The SDL library's version, such as 2.26.5.</summary>
    public string SdlVersion { get; private set; } = "";

    /// <summary>Whether the connection to the X server broke: no SDL call may follow (Dispose makes none).</summary>
    public static bool DisplayLost => Volatile.Read(ref s_displayLost) != 0;

    /// <summary>The size of the last frame shown (0 before the first).</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>
    /// Null when SDL 2 can be loaded, else why not in one line naming the Debian package. <paramref name="library"/>
    /// replaces the library's name (tests).
    /// </summary>
    public static string? MissingLibrary(string library = NativeLibraries.Sdl2)
    {
        if (NativeLibrary.TryLoad(library, typeof(SdlViewerWindow).Assembly, null, out var handle))
        {
            NativeLibrary.Free(handle);
            return null;
        }

        return $"{library} not found: install the Debian package {NativeLibraries.Sdl2Package}";
    }

    /// <summary>
    /// Null when the environment names a display (DISPLAY for X11, WAYLAND_DISPLAY for Wayland), else why not.
    /// </summary>
    public static string? MissingDisplay(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return string.IsNullOrEmpty(environment("DISPLAY")) && string.IsNullOrEmpty(environment("WAYLAND_DISPLAY"))
            ? "no display: neither DISPLAY nor WAYLAND_DISPLAY is set (the viewer needs a desktop session)"
            : null;
    }

    /// <summary>
    /// Initialises SDL's video and opens the window, on the calling thread, which must make every later call.
    /// When the connection to the X server breaks, <see cref="DisplayLost"/> turns true and the SDL calls return; only
    /// with a libX11 older than 1.7 is <paramref name="onDisplayLost"/> run instead, on that thread inside the SDL call
    /// that found it, which never returns (Xlib would end the process if it did): the callback must then release
    /// whatever the thread holds and report the end.
    /// </summary>
    /// <exception cref="InvalidOperationException">No display, SDL 2 missing, or SDL failed (one line).</exception>
    public static SdlViewerWindow Open(string title, Action onDisplayLost, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(onDisplayLost);
        if (MissingDisplay(Environment.GetEnvironmentVariable) is { } noDisplay)
        {
            throw new InvalidOperationException(noDisplay);
        }

        if (MissingLibrary() is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        s_onDisplayLost = onDisplayLost;
        Volatile.Write(ref s_displayLost, 0);
        Volatile.Write(ref s_displayLostReported, 0);
        var window = new SdlViewerWindow(TurboJpegHandle.CreateDecompressor());
        try
        {
            window.OpenCore(title, width, height);
            return window;
        }
        catch (EntryPointNotFoundException e)
        {
            window.Dispose();
            throw new InvalidOperationException($"{NativeLibraries.Sdl2} is not a usable SDL 2: {e.Message}", e);
        }
        catch
        {
            window.Dispose();
            throw;
        }
    }

    private void OpenCore(string title, int width, int height)
    {
        // Before SDL_Init: SDL must not take SIGINT and SIGTERM (the server's), nor keep the screen saver away.
        Sdl2.SetHint("SDL_NO_SIGNAL_HANDLERS", "1");
        Sdl2.SetHint("SDL_VIDEO_ALLOW_SCREENSAVER", "1");
        // Only the display the environment names (SDL_VIDEODRIVER, if set, still wins): without this SDL would fall
        // back to its "offscreen" driver, a window nobody sees.
        var x11 = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"));
        var wayland = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        Sdl2.SetHint("SDL_VIDEODRIVER", x11 && wayland ? "x11,wayland" : x11 ? "x11" : "wayland");
        // SDL's software renderer onto the window's own framebuffer (SDL_RENDER_DRIVER and SDL_FRAMEBUFFER_ACCELERATION,
        // if set, still win): the picture is copied 1:1 into the window (XShm on X11). No GPU needed and no GL context:
        // without a GPU that is Mesa's llvmpipe with its threads, and GL code on a display that went away can crash.
        Sdl2.SetHint("SDL_RENDER_DRIVER", "software");
        Sdl2.SetHint("SDL_FRAMEBUFFER_ACCELERATION", "0");
        byte* version = stackalloc byte[3];
        Sdl2.GetVersion(version);
        SdlVersion = $"{version[0]}.{version[1]}.{version[2]}";
        if (Sdl2.InitSubSystem(Sdl2.InitVideo) != 0)
        {
            var name = x11 ? "DISPLAY=" + Environment.GetEnvironmentVariable("DISPLAY") : "WAYLAND_DISPLAY=" + Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
            throw new InvalidOperationException($"SDL cannot open the display ({name}): {Sdl2.ErrorText()}");
        }

        _shown = true;
        VideoDriver = Marshal.PtrToStringUTF8((nint)Sdl2.GetCurrentVideoDriver()) ?? "";
        if (VideoDriver == "x11")
        {
            // SDL's X11 driver has loaded libX11; its connections (SDL keeps two) are ours alone.
            Xlib.SetIoErrorHandler(&OnDisplayLost);
        }

        if (VideoDriver is "offscreen" or "dummy")
        {
            throw new InvalidOperationException($"SDL cannot open the display: it offers only its {VideoDriver} video driver");
        }

        _window = Sdl2.CreateWindow(title, Sdl2.WindowPositionUndefined, Sdl2.WindowPositionUndefined, width, height, Sdl2.WindowShown | Sdl2.WindowResizable);
        if (_window == 0)
        {
            throw new InvalidOperationException($"SDL cannot open a window: {Sdl2.ErrorText()}");
        }

        _windowId = Sdl2.GetWindowId(_window);
        if (VideoDriver == "x11")
        {
            KeepRunningOnDisplayLoss(version);
        }

        _renderer = Sdl2.CreateRenderer(_window, -1, 0);
        if (_renderer == 0)
        {
            throw new InvalidOperationException($"SDL cannot draw into the window: {Sdl2.ErrorText()}");
        }

        Sdl2.RendererInfo info;
        Renderer = Sdl2.GetRendererInfo(_renderer, &info) == 0 && info.Name is not null ? Marshal.PtrToStringUTF8((nint)info.Name) ?? "" : "";
        Clear();
        Sdl2.RenderPresent(_renderer);
    }

    /// <summary>
    /// Xlib's I/O error handler, on the viewer's thread inside an SDL call. After it Xlib runs the display's exit
    /// handler, exit(1) by default: with libX11 1.7 or later it is replaced by one that returns (the display is then
    /// marked broken and every Xlib call on it returns at once), so the SDL call returns, <see cref="DisplayLost"/> is
    /// true and the owner's loop ends without another SDL call. With an older libX11 the owner is told here and this
    /// thread, the only one that calls SDL, stays here for good (no exception may cross back into C).
    /// </summary>
    [UnmanagedCallersOnly]
    private static int OnDisplayLost(nint display)
    {
        Volatile.Write(ref s_displayLost, 1);
        try
        {
            Xlib.SetIoErrorExitHandler(display, &KeepRunning, 0);
            return 0;
        }
        catch (EntryPointNotFoundException)
        {
        }

        if (Interlocked.Exchange(ref s_displayLostReported, 1) == 0)
        {
            try
            {
                s_onDisplayLost?.Invoke();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine("output_viewer: " + e.Message);
            }
        }

        Xlib.UnlockDisplay(display);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>
    /// Xlib's I/O error exit handler that does not exit. Xlib takes the display's user lock for the exit it expects (so
    /// that the exiting thread's exit handlers may use the display); the process goes on, so the lock is given back, or
    /// libGLX's exit handler would wait for it for ever when the server stops.
    /// </summary>
    [UnmanagedCallersOnly]
    private static void KeepRunning(nint display, nint userData) => Xlib.UnlockDisplay(display);

    /// <summary>Sets the exit handler on SDL's main display connection before anything breaks (the handler's reads may precede ours).</summary>
    private void KeepRunningOnDisplayLoss(byte* version)
    {
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        info[0] = version[0];
        info[1] = version[1];
        info[2] = version[2];
        if (Sdl2.GetWindowWmInfo(_window, info) == 1 && *(int*)(info + 4) == Sdl2.SysWmX11)
        {
            try
            {
                Xlib.SetIoErrorExitHandler(*(nint*)(info + 8), &KeepRunning, 0);
            }
            catch (EntryPointNotFoundException)
            {
            }
        }
    }

    /// <summary>Sets the window's title.</summary>
    public void SetTitle(string title)
    {
        ObjectDisposedException.ThrowIf(_window == 0, this);
        Sdl2.SetWindowTitle(_window, title);
    }

    /// <summary>Takes every waiting event (SDL reads the display connection here); never blocks.</summary>
    public ViewerEvents Pump()
    {
        ObjectDisposedException.ThrowIf(_window == 0, this);
        var seen = ViewerEvents.None;
        Sdl2.Event sdlEvent;
        while (Sdl2.PollEvent(&sdlEvent) == 1)
        {
            if (sdlEvent.Type == Sdl2.EventQuit)
            {
                seen |= ViewerEvents.Closed;
            }
            else if (sdlEvent.Type == Sdl2.EventWindow && sdlEvent.WindowId == _windowId)
            {
                seen |= sdlEvent.WindowEvent switch
                {
                    Sdl2.WindowEventClose => ViewerEvents.Closed,
                    Sdl2.WindowEventExposed or Sdl2.WindowEventSizeChanged => ViewerEvents.Redraw,
                    _ => ViewerEvents.None,
                };
            }
        }

        return seen;
    }

    /// <summary>
    /// Decodes <paramref name="jpeg"/> into the texture and shows it; a new size resizes the window. False, with the
    /// decoder's message, when the data is not a JPEG it can read (a picture decoded with a warning, such as a cut-off
    /// end, is shown).
    /// </summary>
    public bool TryShow(ReadOnlySpan<byte> jpeg, out string? reason)
    {
        ObjectDisposedException.ThrowIf(_window == 0, this);
        reason = null;
        var handle = _decoder.Value;
        int width, height, subsampling, colorspace;
        fixed (byte* data = jpeg)
        {
            if (TurboJpeg.DecompressHeader3(handle, data, (nuint)jpeg.Length, &width, &height, &subsampling, &colorspace) != 0)
            {
                reason = TurboJpegHandle.ErrorText(handle);
                return false;
            }

            if (width != Width || height != Height || _texture == 0)
            {
                if (!Resize(width, height, out reason))
                {
                    return false;
                }
            }

            byte* pixels;
            int pitch;
            if (Sdl2.LockTexture(_texture, null, &pixels, &pitch) != 0)
            {
                reason = "SDL cannot lock the texture: " + Sdl2.ErrorText();
                return false;
            }

            int result;
            try
            {
                result = TurboJpeg.Decompress2(handle, data, (nuint)jpeg.Length, pixels, width, pitch, height, _pixelFormat, 0);
            }
            finally
            {
                Sdl2.UnlockTexture(_texture);
            }

            if (result != 0 && TurboJpeg.GetErrorCode(handle) != TurboJpeg.ErrorWarning)
            {
                reason = TurboJpegHandle.ErrorText(handle);
                return false;
            }
        }

        Redraw();
        return true;
    }

    /// <summary>Draws the last picture again (or black before the first).</summary>
    public void Redraw()
    {
        ObjectDisposedException.ThrowIf(_window == 0, this);
        Clear();
        if (_texture != 0)
        {
            if (Sdl2.RenderCopy(_renderer, _texture, null, null) != 0)
            {
                throw new InvalidOperationException("SDL cannot draw the picture: " + Sdl2.ErrorText());
            }
        }

        Sdl2.RenderPresent(_renderer);
    }

    private void Clear()
    {
        // Black around the picture; a failure here only leaves the bars unpainted.
        _ = Sdl2.SetRenderDrawColor(_renderer, 0, 0, 0, 255);
        _ = Sdl2.RenderClear(_renderer);
    }

    private bool Resize(int width, int height, out string? reason)
    {
        reason = null;
        if (_texture != 0)
        {
            Sdl2.DestroyTexture(_texture);
            _texture = 0;
        }

        Width = 0;
        Height = 0;
        _texture = Sdl2.CreateTexture(_renderer, Sdl2.PixelFormatXrgb8888, Sdl2.TextureAccessStreaming, width, height);
        if (_texture == 0)
        {
            reason = $"SDL cannot make a {width}x{height} texture: {Sdl2.ErrorText()}";
            return false;
        }

        Width = width;
        Height = height;
        // The window takes the frame's size; if the user resizes it, the picture keeps its shape (black bars).
        Sdl2.SetWindowSize(_window, width, height);
        // Without it (it cannot fail with a window and a size) a resized window would stretch the picture.
        _ = Sdl2.RenderSetLogicalSize(_renderer, width, height);
        return true;
    }

    /// <summary>Closes the window and SDL's video (on the thread that opened them).</summary>
    public void Dispose()
    {
        if (DisplayLost)
        {
            // Every SDL call would talk to a broken connection: the window's memory is left behind, once.
            _texture = _renderer = _window = 0;
            _shown = false;
        }

        if (_texture != 0)
        {
            Sdl2.DestroyTexture(_texture);
            _texture = 0;
        }

        if (_renderer != 0)
        {
            Sdl2.DestroyRenderer(_renderer);
            _renderer = 0;
        }

        if (_window != 0)
        {
            Sdl2.DestroyWindow(_window);
            _window = 0;
        }

        if (_shown)
        {
            Sdl2.QuitSubSystem(Sdl2.InitVideo);
            Sdl2.Quit();
            _shown = false;
        }

        _decoder.Dispose();
    }
}
