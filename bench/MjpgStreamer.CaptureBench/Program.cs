using MjpgStreamer.CaptureBench;

return await CaptureBenchProgram.RunAsync(args, Console.Out, Console.Error);
