using LargeFileGateway.Observability;
using LargeFileGateway.Representations;

namespace LargeFileGateway.Digests;

/// <summary>
/// The request flow's view of the content-facts store: the facts of exactly the version being served, or null,
/// and then that version is queued for the background worker. Never reads storage, never waits.
/// </summary>
internal sealed class KnownDigests
{
    private readonly ContentFactsStore? _store;
    private readonly DigestQueue? _queue;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    /// <param name="store">The store; null when digests are off.</param>
    /// <param name="queue">The worker's queue; null when digests are off.</param>
    /// <param name="metrics">Counts versions the queue had no room for.</param>
    /// <param name="logger">Logs each version queued (Debug).</param>
    public KnownDigests(ContentFactsStore? store, DigestQueue? queue, GatewayMetrics metrics, ILogger<KnownDigests> logger)
    {
        _store = store;
        _queue = queue;
        _metrics = metrics;
        _logger = logger;
    }

    public bool IsEnabled => _store is not null;

    /// <summary>
    /// The facts already stored for <paramref name="key"/> at <paramref name="validator"/>, or null; unlike
    /// <see cref="FactsOf"/> it never queues the version: a listing shows what is known, and looking at a folder
    /// does not set the worker hashing every file in it.
    /// </summary>
    public ContentFacts? KnownOf(string key, Microsoft.Net.Http.Headers.EntityTagHeaderValue validator)
        => _store?.Find(new FileVersion(key, validator.ToString()));

    /// <summary>
    /// What is known of the bytes <paramref name="representation"/> serves, keyed by the file they really come from
    /// (a link inside the root shares its target's facts) and its strong validator.
    /// </summary>
    public ContentFacts? FactsOf(Representation representation)
    {
        // Only a stored file is a version the worker can hash: an archive made on the fly is never queued.
        if (_store is null || _queue is null || representation is not StoredFile)
        {
            return null;
        }

        // An entry may hold only what archives learnt (a crc32): the digests are still to be computed.
        var version = new FileVersion(representation.RealKey, representation.ETag.ToString());
        if (_store.Find(version) is { } facts && HasDigest(facts))
        {
            return facts;
        }

        if (_queue.TryRequest(version))
        {
            Log.DigestQueued(_logger, version.Key, version.Validator);
        }
        else
        {
            Log.DigestQueueFull(_logger, version.Key);
            _metrics.DigestQueueFull();
        }

        return null;
    }

    /// <summary>True when <paramref name="facts"/> hold a digest (not only the CRC-32 of an archive member).</summary>
    public static bool HasDigest(ContentFacts? facts) => facts?.Get(ContentFacts.Sha256) is not null;
}
