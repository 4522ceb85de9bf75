using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>Parses and checks the command line; errors are one line for the user.</summary>
internal static class BenchCommandLine
{
    public const string Usage =
        """
        usage: MjpgStreamer.CaptureBench encode  [--size 1280x720] [--quality 80] [--seconds 10] [--workers 1,2]
               MjpgStreamer.CaptureBench capture [--device /tmp/fakecam/video0] [--size 1280x720] [--fps 30]
                                                 [--seconds 20] [--yuyv] [--clients 1]
               MjpgStreamer.CaptureBench still   --exe PATH [--stills 50] [--size 640x480] [--fps 30] [--interval-ms 500]
               MjpgStreamer.CaptureBench pause   --exe PATH [--cycles 1000] [--size 640x480] [--fps 30]
                                                 [--settle-ms 100]
          encode   a YUYV test picture through the 4:2:2 split and libjpeg-turbo on one thread, then through
                   RawFrameEncoderPool with each worker count, fed as fast as it accepts frames
          capture  input_uvc.so on a V4L2 device (set MJPG_STREAMER_V4L2_LIB to the fake camera library),
                   read by N subscribers as stream clients read; 2 s warm-up, then --seconds measured
          pause    the server executable on the fake camera (MJPG_STREAMER_V4L2_LIB, devices in a temp folder)
                   with one stream client; each cycle creates the --pause-file lock, times until the device
                   is closed, waits --settle-ms, removes it, times until the client gets a new camera frame,
                   waits --settle-ms; 10 warm-up cycles first; progress every 1000 cycles on stderr
          env CAPTUREBENCH_TRACE_ALLOCATIONS=1: encode names the types allocated in each pool window
                   (GC AllocationTick events; the listener itself skews that run's byte counts)
        exit status: 0 ok, 1 the run failed, 2 bad command line
        """;

    private const int MaxSide = 8192;

    /// <summary>The command, or null with <paramref name="error"/> set (or <paramref name="helpRequested"/>).</summary>
    public static BenchCommand? Parse(IReadOnlyList<string> args, out string? error, out bool helpRequested)
    {
        error = null;
        helpRequested = args.Any(a => a is "--help" or "-h");
        if (helpRequested)
        {
            return null;
        }

        if (args.Count == 0)
        {
            error = "missing command: encode, capture, pause or still";
            return null;
        }

        return args[0] switch
        {
            "encode" => ParseEncode(args, out error),
            "capture" => ParseCapture(args, out error),
            "pause" => ParsePause(args, out error),
            "still" => ParseStill(args, out error),
            _ => Fail<BenchCommand>($"unknown command \"{args[0]}\" (encode, capture, pause or still)", out error),
        };
    }

    /// <summary>"WxH" with both sides 16..8192 and an even width (4:2:2 pairs pixels).</summary>
    public static bool TryParseSize(string text, out int width, out int height)
    {
        width = height = 0;
        var x = text.IndexOf('x', StringComparison.Ordinal);
        return x > 0
            && TryInt(text[..x], 16, MaxSide, out width)
            && TryInt(text[(x + 1)..], 16, MaxSide, out height)
            && width % 2 == 0;
    }

    /// <summary>"1,2,4": each 1..16, at least one.</summary>
    public static bool TryParseWorkers(string text, out IReadOnlyList<int> workers)
    {
        var list = new List<int>();
        workers = list;
        foreach (var part in text.Split(','))
        {
            if (!TryInt(part, 1, 16, out var count))
            {
                return false;
            }

            list.Add(count);
        }

        return list.Count > 0;
    }

    private static EncodeCommand? ParseEncode(IReadOnlyList<string> args, out string? error)
    {
        var command = new EncodeCommand { Seconds = EncodeCommand.DefaultSeconds };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (!TryValue(args, ref i, out var value, out error))
            {
                return null;
            }

            switch (name)
            {
                case "--size" when TryParseSize(value, out var w, out var h):
                    command = command with { Width = w, Height = h };
                    break;
                case "--quality" when TryInt(value, 1, 100, out var q):
                    command = command with { Quality = q };
                    break;
                case "--seconds" when TrySeconds(value, out var s):
                    command = command with { Seconds = s };
                    break;
                case "--workers" when TryParseWorkers(value, out var list):
                    command = command with { Workers = list };
                    break;
                default:
                    return Fail<EncodeCommand>(BadOption(name, value, "--size", "--quality", "--seconds", "--workers"), out error);
            }
        }

        error = null;
        return command;
    }

    private static CaptureCommand? ParseCapture(IReadOnlyList<string> args, out string? error)
    {
        var command = new CaptureCommand { Seconds = CaptureCommand.DefaultSeconds };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--yuyv")
            {
                command = command with { Yuyv = true };
                continue;
            }

            if (!TryValue(args, ref i, out var value, out error))
            {
                return null;
            }

            switch (name)
            {
                case "--device" when value.Length > 0:
                    command = command with { Device = value };
                    break;
                case "--size" when TryParseSize(value, out var w, out var h):
                    command = command with { Width = w, Height = h };
                    break;
                case "--fps" when TryInt(value, 1, 1000, out var fps):
                    command = command with { Fps = fps };
                    break;
                case "--seconds" when TrySeconds(value, out var s):
                    command = command with { Seconds = s };
                    break;
                case "--clients" when TryInt(value, 1, 1000, out var c):
                    command = command with { Clients = c };
                    break;
                default:
                    return Fail<CaptureCommand>(BadOption(name, value, "--device", "--size", "--fps", "--seconds", "--clients"), out error);
            }
        }

        error = null;
        return command;
    }

    private static StillCommand? ParseStill(IReadOnlyList<string> args, out string? error)
    {
        var command = new StillCommand { Width = 640, Height = 480 };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (!TryValue(args, ref i, out var value, out error))
            {
                return null;
            }

            switch (name)
            {
                case "--exe" when value.Length > 0:
                    command = command with { Exe = value };
                    break;
                case "--stills" when TryInt(value, 1, 100_000, out var stills):
                    command = command with { Stills = stills };
                    break;
                case "--size" when TryParseSize(value, out var w, out var h):
                    command = command with { Width = w, Height = h };
                    break;
                case "--fps" when TryInt(value, 1, 1000, out var fps):
                    command = command with { Fps = fps };
                    break;
                case "--interval-ms" when TryInt(value, 0, 60_000, out var interval):
                    command = command with { IntervalMs = interval };
                    break;
                default:
                    return Fail<StillCommand>(BadOption(name, value, "--exe", "--stills", "--size", "--fps", "--interval-ms"), out error);
            }
        }

        if (command.Exe.Length == 0)
        {
            return Fail<StillCommand>("still: missing --exe PATH (the mjpg_streamer executable)", out error);
        }

        error = null;
        return command;
    }

    private static PauseCommand? ParsePause(IReadOnlyList<string> args, out string? error)
    {
        // The fake camera's smallest size is the default: the benchmark is about the pause, not the pixels.
        var command = new PauseCommand { Width = 640, Height = 480 };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (!TryValue(args, ref i, out var value, out error))
            {
                return null;
            }

            switch (name)
            {
                case "--exe" when value.Length > 0:
                    command = command with { Exe = value };
                    break;
                case "--cycles" when TryInt(value, 1, 1_000_000, out var cycles):
                    command = command with { Cycles = cycles };
                    break;
                case "--size" when TryParseSize(value, out var w, out var h):
                    command = command with { Width = w, Height = h };
                    break;
                case "--fps" when TryInt(value, 1, 1000, out var fps):
                    command = command with { Fps = fps };
                    break;
                case "--settle-ms" when TryInt(value, 0, 60_000, out var settle):
                    command = command with { SettleMs = settle };
                    break;
                default:
                    return Fail<PauseCommand>(BadOption(name, value, "--exe", "--cycles", "--size", "--fps", "--settle-ms"), out error);
            }
        }

        if (command.Exe.Length == 0)
        {
            return Fail<PauseCommand>("pause: missing --exe PATH (the mjpg_streamer executable)", out error);
        }

        error = null;
        return command;
    }

    private static bool TryValue(IReadOnlyList<string> args, ref int i, out string value, out string? error)
    {
        var name = args[i];
        if (!name.StartsWith("--", StringComparison.Ordinal))
        {
            value = "";
            error = $"unexpected argument \"{name}\"";
            return false;
        }

        if (i + 1 >= args.Count)
        {
            value = "";
            error = $"{name}: missing value";
            return false;
        }

        value = args[++i];
        error = null;
        return true;
    }

    private static string BadOption(string name, string value, params string[] known) =>
        known.Contains(name) ? $"{name}: bad value \"{value}\"" : $"unknown option \"{name}\"";

    private static T? Fail<T>(string message, out string? error)
        where T : class
    {
        error = message;
        return null;
    }

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    // Bounded: a benchmark that runs for hours is a typo.
    private static bool TrySeconds(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && value >= 0.5 && value <= 600;
}
