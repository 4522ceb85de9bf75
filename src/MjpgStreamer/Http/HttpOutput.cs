using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Hosting;
using MjpgStreamer.Plugins;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Native;

namespace MjpgStreamer.Http;

/// <summary>output_http.so: one Kestrel server per instance, on its own port.</summary>
internal sealed partial class HttpOutput : IOutput
{
    public const string Name = "output_http.so";

    public static readonly OutputPlugin Descriptor = new(
        Name,
        "HTTP output plugin",
        HttpOutputOptions.Specs,
        HttpOutputOptions.Help,
        static parsed =>
        {
            var options = HttpOutputOptions.From(parsed);
            return context => new HttpOutput(context, options);
        })
    {
        Summary = "HTTP server (-p PORT -l ADDRESS -w FOLDER -c USER:PASS -n)",
    };

    private readonly OutputContext _context;
    private readonly HttpOutputOptions _options;
    private readonly ILogger _logger;
    private readonly ClientRegistry _clients;
    private readonly TrimmingBlockPoolFactory _blockPools;
    private WebApplication? _app;

    public HttpOutput(OutputContext context, HttpOutputOptions options)
    {
        _context = context;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger("output_http");
        _blockPools = new TrimmingBlockPoolFactory(context.Time);
        _clients = new ClientRegistry(context.Time, _logger, _blockPools.ReleaseIdle);
        // Listening starts before any input runs, so /metrics counts from the first frame.
        _ = PrometheusCollector.Shared;
        Args = context.Args;
    }

    public int Id => _context.Id;

    public string Plugin => _context.Plugin;

    public string Args { get; }

    public string DisplayName => "HTTP output plugin";

    /// <summary>The stream clients and their stall watchdog (the in-process tests look at them).</summary>
    public ClientRegistry Clients => _clients;

    /// <summary>The TCP port bound (differs from -p when -p 0 was given).</summary>
    public int BoundPort { get; private set; }

    /// <summary>Kestrel started and its host is not stopping (a fault of the host stops it).</summary>
    public bool IsAlive => _app is { } app && !app.Lifetime.ApplicationStopping.IsCancellationRequested;

    public string? ReadyText { get; private set; }

    public async Task StartAsync(CancellationToken cancellation)
    {
        var addresses = ListenAddress.Resolve(_options.Listen, Plugin);
        // The empty builder: no appsettings.json or environment configuration (nothing next to the executable changes
        // Kestrel behind the command line's back, and no file watch thread for it), only Kestrel's core.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_context.LoggerFactory);
        builder.Services.AddSingleton<IHostLifetime, ProcessLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        // Kestrel's pipes take their blocks from these pools, which let go of idle blocks (a crowd's when it has left).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(_blockPools);
        // The transport sends on the thread that flushes (and parses on the thread that received) instead of queueing
        // each step to the thread pool: a stream part flushed on the capture thread (LatestFrameHub.InlineReaders)
        // goes to the socket there, without waking a pool thread per frame. Receives still complete on thread-pool
        // threads (the socket engine queues them), so request handlers run where they ran before.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        var maxConnections = ConnectionCap();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MinResponseDataRate = null; // our own watchdog drops a client after 30 s without progress
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(8);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(8);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.MaxConcurrentConnections = maxConnections;

            // Before the Listen calls: Kestrel applies endpoint defaults when an endpoint is added (one action: a
            // second ConfigureEndpointDefaults would replace the first). The half-close wrapper comes first, so it
            // sees the socket's FIN under TLS too; the request-line rewrite comes last, so it sees plain text.
            var tls = _options.Tls;
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                listen.UseHalfCloseTolerance();
                if (tls is not null)
                {
                    UseHttps(listen, tls, _context.Time);
                }

                listen.UseCloseDelimitedBodies();
            });
            if (addresses is null)
            {
                kestrel.ListenAnyIP(_options.Port);
            }
            else
            {
                // With -p 0 every address would get its own random port; bind the first one only.
                foreach (var address in _options.Port == 0 ? addresses.Take(1) : addresses)
                {
                    kestrel.Listen(address, _options.Port);
                }
            }
        });

        var app = builder.Build();
        var api = new HttpApi(Id, _options, _context.Streamer, _clients, _logger);
        app.Run(api.HandleAsync);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            await app.DisposeAsync();
            throw BindFailure(ex, addresses);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        // The certificate before the address: a client (or a test) that waits for "listening on" finds it logged.
        if (_options.Tls is { } loaded)
        {
            var notBefore = loaded.Certificate.NotBefore.ToUniversalTime();
            var notAfter = loaded.Certificate.NotAfter.ToUniversalTime();
            LogCertificate(_logger, Id, loaded.Certificate.Subject, loaded.KeyType, notAfter);
            var now = _context.Time.GetUtcNow().UtcDateTime;
            if (now > notAfter || now < notBefore)
            {
                LogCertificateNotValid(_logger, Id, notBefore, notAfter);
            }
        }

        foreach (var url in bound)
        {
            BoundPort = new Uri(url.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
            LogListening(_logger, Id, url + "/");
            ReadyText ??= url + "/";
        }

        LogSettings(_logger, Id, _options.WwwFolder ?? "disabled", _options.Credentials is null ? "disabled" : "enabled", _options.NoCommands ? "disabled" : "enabled");
        if (_options.Hosts.Count > 0)
        {
            var hosts = string.Join(", ", _options.Hosts);
            LogHosts(_logger, Id, hosts);
        }
    }

    /// <summary>
    /// HTTPS only on this port, HTTP/1.1 only (what MJPEG clients speak; ALPN offers no h2). A client that
    /// speaks plain HTTP gets a plain 400 (<see cref="PlainHttpOnHttpsPort"/>); one that fails the handshake (a
    /// refused certificate) is closed by Kestrel.
    /// </summary>
    private static void UseHttps(ListenOptions listen, TlsCertificate tls, TimeProvider time)
    {
        listen.Protocols = HttpProtocols.Http1;
        listen.Use(PlainHttpOnHttpsPort.Middleware(time));
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.Certificate,
            ServerCertificateChain = tls.Chain.Count == 0 ? null : tls.Chain,
            HandshakeTimeout = TimeSpan.FromSeconds(8),
        });
    }

    /// <summary>
    /// -max_connections, lowered (and logged) when the open-file limit could not hold that many: each connection takes
    /// a descriptor, and a few are kept for the rest of the process (inputs, programs, files being served). Several
    /// HTTP outputs share the limit evenly. Null: no cap at all.
    /// </summary>
    private long? ConnectionCap()
    {
        var requested = _options.MaxConnections == 0 ? (long?)null : _options.MaxConnections;
        if (DescriptorLimit.Current is not { } limit || limit == long.MaxValue)
        {
            return requested;
        }

        var outputs = Math.Max(1, _context.Streamer.Outputs.Count(o => o is HttpOutput));
        var ceiling = Math.Max(MinConnections, (limit - DescriptorReserve(limit)) / outputs);
        if (requested is { } wanted && wanted <= ceiling)
        {
            return wanted;
        }

        if (requested is not null || ceiling < HttpOutputOptions.DefaultMaxConnections)
        {
            LogConnectionsClamped(_logger, Id, requested?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0 (no limit)", ceiling, limit, outputs);
        }

        return ceiling;
    }

    /// <summary>Descriptors kept for everything but connections: an eighth of the limit, at least 64.</summary>
    internal static long DescriptorReserve(long limit) => Math.Max(64, limit / 8);

    private const long MinConnections = 16;

    /// <summary>
    /// Kestrel's bind failure as the one line a user needs: a busy port comes wrapped in IOException (Kestrel's
    /// AddressInUseException), an address that is not this machine's as the bare SocketException.
    /// </summary>
    private StartupException BindFailure(Exception ex, IReadOnlyList<IPAddress>? addresses)
    {
        var socket = ex as SocketException;
        for (var inner = ex.InnerException; socket is null && inner is not null; inner = inner.InnerException)
        {
            socket = inner as SocketException;
        }

        var port = _options.Port;
        var on = _options.Listen is null ? "" : $" on {_options.Listen}";
        var message = socket?.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"port {port}{on} is in use",
            SocketError.AddressNotAvailable when addresses is not null && IPAddress.TryParse(_options.Listen!.Trim('[', ']'), out _)
                => $"{_options.Listen} is not an address of this machine",
            SocketError.AddressNotAvailable when addresses is not null
                => $"'{_options.Listen}' ({string.Join(", ", addresses)}) is not an address of this machine",
            SocketError.AccessDenied when port < 1024 => $"no permission to listen on port {port}{on} (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
            { } code => $"cannot listen on port {port}{on}: {socket!.Message} ({code})",
            null => $"cannot listen on port {port}{on}: {ex.Message}",
        };
        return new StartupException($"{Plugin}: {message}");
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await app.DisposeAsync();
        }
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteNumber("port", BoundPort);
        writer.WriteNumber("max_clients", _options.MaxClients);
        writer.WriteBoolean("commands", !_options.NoCommands);
        if (_options.StreamFps is { } fps)
        {
            writer.WriteNumber("stream_fps", fps);
        }
        else
        {
            writer.WriteNull("stream_fps");
        }

        writer.WriteNumber("drop_same_frames", _options.DropSameFrames);
        // -stream_size / -scale as the shape's text without its quality ("640x360", "1/4"), and -stream_quality.
        if (_options.StreamSize is { } size)
        {
            writer.WriteString("stream_size", size.ScaleDenominator != 0 ? $"1/{size.ScaleDenominator}" : $"{size.Width}x{size.Height}");
        }
        else
        {
            writer.WriteNull("stream_size");
        }

        if (_options.StreamQuality is { } quality)
        {
            writer.WriteNumber("stream_quality", quality);
        }
        else
        {
            writer.WriteNull("stream_quality");
        }
        _clients.WriteState(writer);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _clients.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.HttpOutputListening, Level = LogLevel.Information, Message = "output {OutputId}: listening on {Url}")]
    private static partial void LogListening(ILogger logger, int outputId, string url);

    [LoggerMessage(EventId = LogEvents.HttpOutputCertificate, Level = LogLevel.Information, Message = "output {OutputId}: HTTPS certificate {Subject} ({KeyType}), valid until {NotAfter:u}")]
    private static partial void LogCertificate(ILogger logger, int outputId, string subject, string keyType, DateTime notAfter);

    [LoggerMessage(EventId = LogEvents.HttpOutputCertificateNotValid, Level = LogLevel.Warning, Message = "output {OutputId}: the HTTPS certificate is not valid now (valid from {NotBefore:u} to {NotAfter:u}); clients that check it will refuse the connection")]
    private static partial void LogCertificateNotValid(ILogger logger, int outputId, DateTime notBefore, DateTime notAfter);

    [LoggerMessage(EventId = LogEvents.HttpOutputConnectionsClamped, Level = LogLevel.Warning, Message = "output {OutputId}: -max_connections {Requested} lowered to {Cap}: the open-file limit is {Limit} (ulimit -n) for {Outputs} HTTP output(s), with descriptors kept for the rest")]
    private static partial void LogConnectionsClamped(ILogger logger, int outputId, string requested, long cap, long limit, int outputs);

    [LoggerMessage(EventId = LogEvents.HttpOutputSettings, Level = LogLevel.Information, Message = "output {OutputId}: www folder {Www}, credentials {Credentials}, commands {Commands}")]
    private static partial void LogSettings(ILogger logger, int outputId, string www, string credentials, string commands);

    [LoggerMessage(EventId = LogEvents.HttpOutputHosts, Level = LogLevel.Information, Message = "output {OutputId}: answering requests for Host {Hosts} only (-hosts)")]
    private static partial void LogHosts(ILogger logger, int outputId, string hosts);
}
