using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Zmq;

/// <summary>
/// output_zmqserver.so's options: -a the endpoint to bind (tcp:// only), -b frames per message, -i the input, -m frames
/// to stdout instead; -f, -s, -e and -c (the original's, from output_file) are accepted and ignored.
/// </summary>
internal sealed record ZmqOutputOptions(string? Address, int BufferSize, int Input, bool ToStdout)
{
    public const int DefaultBufferSize = 3;

    public const int MaxBufferSize = 10;

    /// <summary>The options the original took over from output_file and that mean nothing here.</summary>
    public static readonly IReadOnlyList<string> IgnoredKeys = ["f", "s", "e", "c"];

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("a", true, "a", "address"),
        new("b", true, "b", "buffer_size"),
        new("i", true, "i", "input"),
        new("m", true, "m", "mjpeg"),
        new("f", true, "f", "folder"),
        new("s", true, "s", "size"),
        new("e", true, "e", "exceed"),
        new("c", true, "c", "command"),
    ];

    public static readonly string Help = PluginHelp.Format(
        "output",
        "ZMQ output plugin",
        ("[-a | --address ]", "ZeroMQ endpoint to bind a PUB socket to,\ne.g. tcp://*:5555 (tcp:// only; required)"),
        ("[-b | --buffer_size ]", "frames per message (1 to 10, default 3)"),
        ("[-i | --input ]", "read frames from the specified input plugin (default 0)"),
        ("[-m | --mjpeg ]", "write the frames to stdout instead (concatenated\nJPEGs; the file name given is not used)"),
        ("[-f | -s | -e | -c ]", "accepted for compatibility, ignored"));

    public static ZmqOutputOptions From(ParsedOptions options)
    {
        var toStdout = options.Has("m");
        var address = options.Get("a");
        if (!toStdout)
        {
            address = options.Require("a", "a ZeroMQ endpoint such as tcp://*:5555");
            CheckAddress(options.Plugin, address);
        }

        var bufferSize = options.GetInt("b", DefaultBufferSize, 1, MaxBufferSize);
        var input = options.GetInt("i", 0, 0);
        return new ZmqOutputOptions(address, bufferSize, input, toStdout);
    }

    /// <summary>
    /// tcp://HOST:PORT only: NetMQ's ipc:// is TCP on the loopback, not libzmq's Unix socket, so a libzmq client could
    /// not reach it, and inproc:// cannot leave the process. HOST is an address, a name or * (every address).
    /// </summary>
    private static void CheckAddress(string plugin, string address)
    {
        const string Tcp = "tcp://";
        var colon = address.LastIndexOf(':');
        if (!address.StartsWith(Tcp, StringComparison.Ordinal) || colon < Tcp.Length + 1
            || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > 65535)
        {
            throw new UsageException($"{plugin}: -a '{address}' is not a tcp://HOST:PORT endpoint (e.g. tcp://*:5555)");
        }
    }
}
