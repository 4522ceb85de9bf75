using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// One ?action=command on its way to the camera's thread, and the answer that thread gives (0 or -1).
/// The request may give up first (timeout, cancellation): the thread then skips the command, and an
/// answer given after that is dropped.
/// </summary>
internal sealed class DeviceCommand(CommandRequest request)
{
    // Continuations run on the pool, never on the camera thread that completes the answer.
    private readonly TaskCompletionSource<int> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CommandRequest Request { get; } = request;

    public Task<int> Answer => _answer.Task;

    /// <summary>Answered, or given up on by the request.</summary>
    public bool IsDone => _answer.Task.IsCompleted;

    public void Complete(int answer) => _answer.TrySetResult(answer);

    public void Cancel(CancellationToken cancellation) => _answer.TrySetCanceled(cancellation);
}
