using MjpgStreamer.Hosting;

namespace MjpgStreamer.Http;

/// <summary>
/// Gives the memory of a crowd of stream clients back once it has left. The stream path allocates nothing per frame,
/// so after the clients are gone no garbage collection ever runs by itself, and the connections' buffers (Kestrel's
/// pinned blocks) and objects stayed in RSS for good. Once the stream clients have dropped to a quarter of a peak of
/// at least <see cref="CrowdSize"/> and stayed there for <see cref="Quiet"/>, a full compacting collection runs; then
/// <see cref="FollowUps"/> more, one every <see cref="FollowUpEvery"/> while the count stays low: Kestrel's memory pool
/// lets go of its idle blocks only gradually (5 % every 10 s), and each collection returns what it has let go.
/// (Kestrel's blocks now come from <see cref="TrimmingBlockPool"/>, whose idle blocks <see cref="ClientRegistry"/> lets
/// go right before each collection, so the first one returns them all.)
/// </summary>
internal sealed class CrowdMemory(TimeProvider time, Action collect)
{
    /// <summary>A peak below this many stream clients is not worth a collection.</summary>
    public const int CrowdSize = 64;

    /// <summary>How long the count must stay low (Kestrel's memory pool lets go of idle blocks meanwhile).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(15);

    /// <summary>Collections after the first one, while the count stays low.</summary>
    public const int FollowUps = 10;

    public static readonly TimeSpan FollowUpEvery = TimeSpan.FromSeconds(60);

    private int _peak;
    private long _lowSince;
    private int _followUpsLeft;
    private long _lastCollection;

    public CrowdMemory(TimeProvider time)
        : this(time, CollectAll)
    {
    }

    /// <summary>Collections run so far.</summary>
    public int Collections { get; private set; }

    /// <summary>Called once a second with the stream clients connected now.</summary>
    public void Tick(int clients)
    {
        var now = time.GetTimestamp();
        if (_followUpsLeft > 0)
        {
            if (clients >= CrowdSize)
            {
                _followUpsLeft = 0; // a new crowd: its own departure will be handled
            }
            else if (time.GetElapsedTime(_lastCollection, now) >= FollowUpEvery)
            {
                Collect(now);
                _followUpsLeft--;
                return;
            }
        }

        _peak = Math.Max(_peak, clients);
        if (_peak < CrowdSize || clients > _peak / 4)
        {
            _lowSince = 0;
            return;
        }

        if (_lowSince == 0)
        {
            _lowSince = now;
            return;
        }

        if (time.GetElapsedTime(_lowSince, now) >= Quiet)
        {
            Collect(now);
            _followUpsLeft = FollowUps;
            _peak = clients;
            _lowSince = 0;
        }
    }

    private void Collect(long now)
    {
        collect();
        Collections++;
        _lastCollection = now;
    }

    /// <summary>What a collection does in the process: <see cref="StartupMemory.GiveBack"/>.</summary>
    internal static void CollectAll() => StartupMemory.GiveBack();
}
