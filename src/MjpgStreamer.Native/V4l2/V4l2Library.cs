using System.Reflection;
using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// Resolves the library name "v4l2sys" used by <see cref="V4l2Native"/>: the library named by
/// MJPG_STREAMER_V4L2_LIB when it is set and non-empty (a fake camera for tests), otherwise the main program's
/// global symbol scope, which holds libc's open/ioctl/mmap/poll and also any LD_PRELOADed shim (binding to
/// "libc" directly would bypass a preload: the runtime binds a P/Invoke with dlopen("libc.so.6") and a
/// handle-scoped dlsym, which searches only libc and its dependencies, never a preloaded object, whereas
/// NativeLibrary.GetMainProgramHandle() is dlopen(NULL), the global scope with preloads included).
/// </summary>
/// <remarks>
/// NativeLibrary.SetDllImportResolver may be called only once per assembly, so this is the assembly's only
/// resolver. Every other name ("libc", "libturbojpeg.so.0") gets 0, which means the runtime's default probing;
/// a future resolver for those names must be added here, not registered separately.
/// </remarks>
internal static class V4l2Library
{
    public const string Name = "v4l2sys";

    public const string PathVariable = "MJPG_STREAMER_V4L2_LIB";

    /// <summary>The <see cref="V4l2Exception.Operation"/> of a failure to load MJPG_STREAMER_V4L2_LIB.</summary>
    public const string LoadOperation = "load " + PathVariable;

    private static readonly Lock _gate = new();
    private static bool _registered;
    private static nint _handle;
    private static string? _loadError;

    /// <summary>Installs the resolver (once; later calls do nothing).</summary>
    public static void EnsureRegistered()
    {
        lock (_gate)
        {
            if (!_registered)
            {
                NativeLibrary.SetDllImportResolver(typeof(V4l2Library).Assembly, Resolve);
                _registered = true;
            }
        }
    }

    /// <summary>
    /// Loads the configured library now, so that a bad MJPG_STREAMER_V4L2_LIB surfaces as a
    /// <see cref="V4l2Exception"/> with a one-line message (the same one on every call) instead of a
    /// DllNotFoundException from the first P/Invoke.
    /// </summary>
    public static void EnsureLoaded()
    {
        EnsureRegistered();
        string? error;
        lock (_gate)
        {
            if (_handle == 0 && _loadError is null)
            {
                try
                {
                    _handle = Load(Environment.GetEnvironmentVariable(PathVariable));
                }
                catch (V4l2Exception e)
                {
                    _loadError = e.Message;
                }
            }

            error = _loadError;
        }

        if (error is not null)
        {
            throw new V4l2Exception(LoadOperation, 0, error);
        }
    }

    /// <summary>The handle for <paramref name="path"/> (null or empty: the main program); throws a V4l2Exception naming the path.</summary>
    internal static nint Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return NativeLibrary.GetMainProgramHandle();
        }

        try
        {
            return NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The runtime's message ends with dlerror()'s "<path>: <reason>" (missing file, wrong ELF class, undefined
            // symbol) after a paragraph of generic advice; keep only the reason when it is there.
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            var reason = message.LastIndexOf(path + ": ", StringComparison.Ordinal);
            var detail = reason >= 0 ? message[(reason + path.Length + 2)..] : message;
            throw new V4l2Exception(LoadOperation, 0, $"cannot load the V4L2 library {path} named by {PathVariable}: {detail}");
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return 0;
        }

        try
        {
            EnsureLoaded();
            return _handle;
        }
        catch (V4l2Exception)
        {
            // The caller gets the runtime's DllNotFoundException; V4l2Device.Open reports the reason first.
            return 0;
        }
    }
}
