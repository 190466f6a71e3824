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
        if (_store is null || _queue is null)
        {
            return null;
        }

        var version = new FileVersion(representation.RealKey, representation.ETag.ToString());
        if (_store.Find(version) is { } facts)
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
}
