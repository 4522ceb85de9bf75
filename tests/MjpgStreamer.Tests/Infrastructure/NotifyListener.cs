using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// systemd's side of the notify protocol for tests: a bound AF_UNIX datagram socket (a path in a temp folder, or
/// an abstract name) whose NOTIFY_SOCKET value the server gets, and the messages it received, in order.
/// </summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _folder;

    private NotifyListener(string address, string bindName, string? folder)
    {
        Address = address;
        _folder = folder;
        _socket.Bind(new UnixDomainSocketEndPoint(bindName));
    }

    /// <summary>What NOTIFY_SOCKET says: the path, or "@name" for an abstract socket.</summary>
    public string Address { get; }

    public static NotifyListener AtPath()
    {
        var folder = TestMedia.NewTempFolder();
        var path = Path.Combine(folder, "notify");
        return new NotifyListener(path, path, folder);
    }

    public static NotifyListener Abstract()
    {
        var name = "mjpg-tests-notify-" + Guid.NewGuid().ToString("N")[..12];
        return new NotifyListener("@" + name, "\0" + name, null);
    }

    /// <summary>The next datagram, or a failure after <paramref name="timeout"/> (10 s by default).</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        var buffer = new byte[4096];
        try
        {
            var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
            return Encoding.UTF8.GetString(buffer, 0, count);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            Assert.Fail($"no notify message within {(timeout ?? Eventually.DefaultTimeout).TotalSeconds:0.#} s");
            throw;
        }
    }

    /// <summary>Skips messages until one containing <paramref name="line"/> (as a whole line) comes; returns it.</summary>
    public async Task<string> ReceiveUntilAsync(string line, TimeSpan? timeout = null)
    {
        while (true)
        {
            var message = await ReceiveAsync(timeout);
            if (message.Split('\n').Contains(line))
            {
                return message;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
