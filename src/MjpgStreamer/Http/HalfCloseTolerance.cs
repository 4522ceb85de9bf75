using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MjpgStreamer.Http;

/// <summary>
/// Lets a client half-close: Kestrel takes the client's FIN (its ConnectionClosed token) as an abort and drops the
/// response, so a client that sends its request and then shutdown(SHUT_WR) got nothing. This connection middleware
/// hands Kestrel a connection whose ConnectionClosed never fires for a FIN; the FIN is kept as
/// <see cref="IPeerFinishedFeature.PeerFinished"/> for the stream endpoint, which takes it as the client leaving.
/// A peer that is really gone is still found by the failing write (and the stall watchdog).
/// </summary>
internal static class HalfCloseTolerance
{
    public static void UseHalfCloseTolerance(this ListenOptions listen) =>
        listen.Use(next => async connection =>
        {
            // Not disposed here: Kestrel disposes the inner connection once the middleware returns.
            var wrapper = new HalfCloseConnection(connection);
            connection.Features.Set<IPeerFinishedFeature>(wrapper);
            await next(wrapper);
        });

    /// <summary>The inner connection, except that its ConnectionClosed is not handed on.</summary>
    private sealed class HalfCloseConnection(ConnectionContext inner) : ConnectionContext, IPeerFinishedFeature
    {
        public override string ConnectionId
        {
            get => inner.ConnectionId;
            set => inner.ConnectionId = value;
        }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items
        {
            get => inner.Items;
            set => inner.Items = value;
        }

        public override IDuplexPipe Transport
        {
            get => inner.Transport;
            set => inner.Transport = value;
        }

        /// <summary>Never cancelled: Kestrel would abort the request and its output at the client's FIN.</summary>
        public override CancellationToken ConnectionClosed { get; set; }

        public CancellationToken PeerFinished => inner.ConnectionClosed;

        public override EndPoint? LocalEndPoint
        {
            get => inner.LocalEndPoint;
            set => inner.LocalEndPoint = value;
        }

        public override EndPoint? RemoteEndPoint
        {
            get => inner.RemoteEndPoint;
            set => inner.RemoteEndPoint = value;
        }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override void Abort() => inner.Abort();
    }
}

/// <summary>The client has sent its FIN (or the connection broke): it will send nothing more.</summary>
internal interface IPeerFinishedFeature
{
    CancellationToken PeerFinished { get; }
}
