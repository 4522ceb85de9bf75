using System.Net;
using System.Net.Sockets;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Outputs;

/// <summary>output_udp.so's options: -p is required (1..65535), -l defaults to 127.0.0.1.</summary>
internal sealed record UdpOutputOptions(int Port, IPAddress Address, OutputFolder Folder, int Input, int DelayMs, IReadOnlyList<string>? Command)
{
    public const string DefaultListen = "127.0.0.1";

    public static UdpOutputOptions From(ParsedOptions options)
    {
        if (options.Get("p") is null)
        {
            throw new UsageException($"{options.Plugin}: -p (the UDP port) is required");
        }

        var port = options.GetInt("p", 0, 1, 65535);
        var listen = options.Get("l") ?? DefaultListen;
        IPAddress address;
        if (IPAddress.TryParse(listen.Trim('[', ']'), out var literal))
        {
            address = literal;
        }
        else
        {
            try
            {
                address = listen.Length == 0 ? throw new UsageException($"{options.Plugin}: -l needs a host name or address") : Dns.GetHostAddresses(listen).FirstOrDefault()
                    ?? throw new StartupException($"{options.Plugin}: cannot resolve listen address '{listen}'");
            }
            catch (SocketException)
            {
                throw new StartupException($"{options.Plugin}: cannot resolve listen address '{listen}'");
            }
        }

        return new UdpOutputOptions(
            port,
            address,
            OutputFolder.FromOption(options.Plugin, options.Get("f"), FileOutputOptions.DefaultFolder),
            options.GetInt("i", 0, 0),
            options.GetInt("d", 0, 0),
            OutputCommand.ParseOption(options.Plugin, options.Get("c")));
    }
}
