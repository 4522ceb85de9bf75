return MjpgStreamer.Hosting.App.Run(args);
