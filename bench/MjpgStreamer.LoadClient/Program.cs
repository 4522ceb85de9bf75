using MjpgStreamer.LoadClient;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    return await LoadClientProgram.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, interrupted.Token);
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
