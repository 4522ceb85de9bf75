using MjpgStreamer.Soak;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    return await SoakProgram.RunAsync(args, Console.Out, Console.Error, interrupted.Token);
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
