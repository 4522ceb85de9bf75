using System.Net;
using System.Net.Sockets;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Plugins;

/// <summary>An output's <c>-l</c>: the addresses a TCP server binds (output_http, output_rtsp).</summary>
internal static class ListenAddress
{
    /// <summary>
    /// Null without <c>-l</c> (every address); an IP literal (IPv6 with or without brackets) as it is; a host name
    /// as every address it resolves to. A name that resolves to nothing is a start-up failure naming the plugin.
    /// </summary>
    public static IPAddress[]? Resolve(string? listen, string plugin)
    {
        if (listen is null)
        {
            return null;
        }

        if (IPAddress.TryParse(listen.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        try
        {
            var resolved = Dns.GetHostAddresses(listen);
            if (resolved.Length > 0)
            {
                return resolved;
            }
        }
        catch (SocketException)
        {
        }

        throw new StartupException($"{plugin}: cannot resolve listen address '{listen}'");
    }
}
