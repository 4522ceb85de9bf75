namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// The thread named <see cref="RaspicamSource.ThreadName"/> that exists exactly while an rpicam child (and so
/// the camera) is held, because the pause fork's before-snapshot.sh waits for that thread to disappear before it
/// uses the camera.
/// </summary>
internal static class CameraThread
{
    /// <summary>
    /// Runs a child's whole life (start, read, stop, reap) under a new camera thread; returns once that thread
    /// has ended, kernel thread included.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tid = 0;
        var thread = new Thread(() =>
        {
            Volatile.Write(ref tid, Interop.LibcProcess.GetThreadId());
            try
            {
                done.SetResult(work().GetAwaiter().GetResult());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            Name = RaspicamSource.ThreadName,
            IsBackground = true,
        };
        thread.Start();
        try
        {
            return await done.Task.ConfigureAwait(false);
        }
        finally
        {
            // The thread has nothing left to do but return; waiting for that keeps "no thread" meaning "camera free".
            // Join returns when the managed thread is done; the kernel thread (what `ps -T` lists) ends a moment later.
            thread.Join();
            var task = $"/proc/self/task/{Volatile.Read(ref tid)}";
            for (var i = 0; i < 1000 && Directory.Exists(task); i++)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }
}
