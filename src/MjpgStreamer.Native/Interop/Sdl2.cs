using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Interop;

/// <summary>
/// The few SDL 2 calls output_viewer.so makes (SDL.h, 2.0.x ABI). The library is bound lazily, at the first call, so
/// only a server with the viewer loads it. SDL's video calls belong to one thread: every call here is made from the
/// viewer's own thread.
/// </summary>
internal static unsafe partial class Sdl2
{
    public const uint InitVideo = 0x20;

    /// <summary>SDL_WINDOWPOS_UNDEFINED.</summary>
    public const int WindowPositionUndefined = 0x1FFF0000;

    public const uint WindowShown = 0x4;

    public const uint WindowResizable = 0x20;

    /// <summary>SDL_PIXELFORMAT_RGB888 (XRGB8888): one 32-bit word per pixel, the top byte unused.</summary>
    public const uint PixelFormatXrgb8888 = 0x16161804;

    public const int TextureAccessStreaming = 1;

    public const uint EventQuit = 0x100;

    public const uint EventWindow = 0x200;

    public const byte WindowEventExposed = 3;

    public const byte WindowEventSizeChanged = 6;

    public const byte WindowEventClose = 14;

    /// <summary>SDL_Event: a 56-byte union in SDL 2; 64 here, so a larger future event never overruns.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Event
    {
        [FieldOffset(0)]
        public uint Type;

        /// <summary>SDL_WindowEvent.windowID.</summary>
        [FieldOffset(8)]
        public uint WindowId;

        /// <summary>SDL_WindowEvent.event (SDL_WindowEventID).</summary>
        [FieldOffset(12)]
        public byte WindowEvent;
    }

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_SetHint", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetHint(string name, string value);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_InitSubSystem")]
    public static partial int InitSubSystem(uint flags);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_QuitSubSystem")]
    public static partial void QuitSubSystem(uint flags);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_Quit")]
    public static partial void Quit();

    /// <summary>The thread's last error text (SDL owns it).</summary>
    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetError")]
    public static partial byte* GetError();

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetCurrentVideoDriver")]
    public static partial byte* GetCurrentVideoDriver();

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetVersion")]
    public static partial void GetVersion(byte* version);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_CreateWindow", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint CreateWindow(string title, int x, int y, int w, int h, uint flags);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_DestroyWindow")]
    public static partial void DestroyWindow(nint window);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetWindowID")]
    public static partial uint GetWindowId(nint window);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_SetWindowTitle", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetWindowTitle(nint window, string title);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_SetWindowSize")]
    public static partial void SetWindowSize(nint window, int w, int h);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_CreateRenderer")]
    public static partial nint CreateRenderer(nint window, int index, uint flags);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_DestroyRenderer")]
    public static partial void DestroyRenderer(nint renderer);

    /// <summary>SDL_RendererInfo's first field is the driver's name; the rest is not read.</summary>
    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetRendererInfo")]
    public static partial int GetRendererInfo(nint renderer, RendererInfo* info);

    /// <summary>SDL_RendererInfo (88 bytes on 64-bit); only <see cref="Name"/> is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    public struct RendererInfo
    {
        [FieldOffset(0)]
        public byte* Name;
    }

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_RenderSetLogicalSize")]
    public static partial int RenderSetLogicalSize(nint renderer, int w, int h);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_CreateTexture")]
    public static partial nint CreateTexture(nint renderer, uint format, int access, int w, int h);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_DestroyTexture")]
    public static partial void DestroyTexture(nint texture);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_LockTexture")]
    public static partial int LockTexture(nint texture, void* rect, byte** pixels, int* pitch);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_UnlockTexture")]
    public static partial void UnlockTexture(nint texture);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_SetRenderDrawColor")]
    public static partial int SetRenderDrawColor(nint renderer, byte r, byte g, byte b, byte a);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_RenderClear")]
    public static partial int RenderClear(nint renderer);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_RenderCopy")]
    public static partial int RenderCopy(nint renderer, nint texture, void* source, void* destination);

    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_RenderPresent")]
    public static partial void RenderPresent(nint renderer);

    /// <summary>Pumps the event loop and takes one event: 1 when one was taken, 0 when none is waiting.</summary>
    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_PollEvent")]
    public static partial int PollEvent(Event* sdlEvent);

    /// <summary>SDL_SYSWM_X11 in SDL_SysWMinfo.subsystem.</summary>
    public const int SysWmX11 = 2;

    /// <summary>
    /// SDL_GetWindowWMInfo: <paramref name="info"/> starts with the caller's SDL_version (3 bytes), then the subsystem
    /// (int, offset 4), then a union whose X11 member starts with the Display* (offset 8). 1 on success.
    /// </summary>
    [LibraryImport(NativeLibraries.Sdl2, EntryPoint = "SDL_GetWindowWMInfo")]
    public static partial int GetWindowWmInfo(nint window, byte* info);

    /// <summary>SDL_GetError as a string.</summary>
    public static string ErrorText()
    {
        var text = GetError();
        var message = text is null ? null : Marshal.PtrToStringUTF8((nint)text);
        return string.IsNullOrEmpty(message) ? "unknown SDL error" : message;
    }
}
