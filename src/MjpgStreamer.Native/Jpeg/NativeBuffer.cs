using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.Jpeg;

/// <summary>
/// A native buffer for libjpeg-turbo that only grows: <see cref="Ensure"/> reallocates when a larger frame comes and
/// keeps the memory otherwise, so a stream of same-sized frames allocates nothing. Not thread-safe.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public byte* Pointer { get; private set; }

    public nuint Capacity { get; private set; }

    /// <summary>At least <paramref name="size"/> bytes from now on (the old contents are not kept).</summary>
    public void Ensure(nuint size)
    {
        if (size > Capacity)
        {
            Dispose();
            Pointer = (byte*)NativeMemory.Alloc(size);
            Capacity = size;
        }
    }

    public void Dispose()
    {
        NativeMemory.Free(Pointer);
        Pointer = null;
        Capacity = 0;
    }
}
