using System.Diagnostics;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Digests;

/// <summary>
/// Learns the digests of queued file versions, off the request path: <c>Concurrency</c> loops (one by default),
/// each taking one version at a time. For each: the current version (a replaced file is learnt as its new
/// version, and the facts of versions that no longer exist are dropped), then the cheapest source that holds:
/// a publisher's sidecar, S3's full-object checksum, or reading every byte at <c>ReadRate</c>.
/// </summary>
internal sealed class DigestWorker : BackgroundService
{
    private readonly DigestQueue _queue;
    private readonly ContentFactsStore _store;
    private readonly IStorageProvider _storage;
    private readonly ThrottledHasher _hasher;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly DigestsOptions _options;
    private readonly bool _sha512;

    public DigestWorker(DigestQueue queue, ContentFactsStore store, IStorageProvider storage, IOptions<DigestsOptions> options, TimeProvider time,
        GatewayMetrics metrics, ILogger<DigestWorker> logger)
    {
        _queue = queue;
        _store = store;
        _storage = storage;
        _options = options.Value;
        _sha512 = _options.Algorithms.Contains(ContentFacts.Sha512, StringComparer.Ordinal);
        _hasher = new ThrottledHasher(_options.ReadRate, _sha512, time);
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The provider without the metadata cache: the optional abilities (checksums) live on it.</summary>
    private IStorageProvider Backend => (_storage as MetadataCachingStorageProvider)?.Inner ?? _storage;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the first request is served: a digest learnt before a restart is sent at once after it.
        _store.Load();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        for (var i = 0; i < _options.Concurrency; i++)
        {
            loops.Add(Task.Run(() => RunAsync(stoppingToken), stoppingToken));
        }

        if (_options.Warm)
        {
            loops.Add(Task.Run(() => WarmAsync(stoppingToken), stoppingToken));
        }

        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a hash in progress is dropped and learnt again after the restart.
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var version in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await LearnAsync(version, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is StorageUnavailableException or StorageObjectChangedException or IOException or UnauthorizedAccessException)
            {
                // Known failures of storage: the next request for the version queues it again.
                Log.DigestFailed(_logger, version.Key, ex.GetType().Name + ": " + ex.Message);
                _metrics.DigestFailed();
            }
            catch (Exception ex)
            {
                // Nothing the worker does may stop the host; the version is tried again on a later request.
                Log.DigestUnexpectedFailure(_logger, version.Key, ex);
                _metrics.DigestFailed();
            }
            finally
            {
                _queue.Done(version);
            }
        }
    }

    private async Task LearnAsync(FileVersion requested, CancellationToken cancellationToken)
    {
        var file = await _storage.GetMetadataAsync(requested.Key, cancellationToken);
        var current = file is null ? (FileVersion?)null : new FileVersion(file.Key, file.ETag.ToString());
        var dropped = _store.DropOtherVersions(requested.Key, current?.Validator);
        if (dropped > 0)
        {
            Log.DigestStaleVersionsDropped(_logger, requested.Key, dropped);
        }

        if (file is null || current is not { } version || KnownDigests.HasDigest(_store.Find(version)))
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var sidecar = await ReadSidecarAsync(file, cancellationToken);
        ContentFacts? facts = null;
        if (sidecar is not null && !_sha512)
        {
            facts = new ContentFacts(new Dictionary<string, byte[]> { [ContentFacts.Sha256] = sidecar }, ContentFactsSource.Sidecar);
        }
        else if (!_sha512 && Backend is IFullObjectChecksumSource checksums && await checksums.GetFullObjectSha256Async(file, cancellationToken) is { } stored)
        {
            facts = new ContentFacts(new Dictionary<string, byte[]> { [ContentFacts.Sha256] = stored }, ContentFactsSource.StorageChecksum);
        }
        else
        {
            facts = await ComputeAsync(file, cancellationToken);
            if (facts is not null && sidecar is not null && !sidecar.AsSpan().SequenceEqual(facts.Get(ContentFacts.Sha256)))
            {
                Log.DigestSidecarDisagrees(_logger, file.Key);
            }
        }

        if (facts is null)
        {
            return;
        }

        // Facts an archive stored for the version (its crc32) stay beside the digests.
        foreach (var (name, value) in _store.Find(version)?.Values ?? new Dictionary<string, byte[]>())
        {
            if (facts.Get(name) is null)
            {
                facts = facts.With(name, value);
            }
        }

        _store.Put(version, facts);
        _metrics.DigestLearnt(facts.Source);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Log.DigestLearnt(_logger, file.Key, version.Validator, facts.Source, elapsed.TotalMilliseconds);
    }

    /// <summary>Every byte of <paramref name="file"/>, then a fresh look: bytes of a version that changed meanwhile are never kept.</summary>
    private async Task<ContentFacts?> ComputeAsync(FileMetadata file, CancellationToken cancellationToken)
    {
        var facts = await _hasher.HashAsync(_storage, file, cancellationToken);
        _metrics.DigestBytesHashed(file.Length);
        (_storage as IMetadataCache)?.Invalidate(file.Key);
        var after = await _storage.GetMetadataAsync(file.Key, cancellationToken);
        if (after is null || !after.ETag.Compare(file.ETag, useStrongComparison: true) || after.Length != file.Length)
        {
            Log.DigestVersionChangedWhileHashing(_logger, file.Key);
            return null;
        }

        return facts;
    }

    /// <summary>
    /// The SHA-256 a publisher put next to the file (<c>name.sha256</c>), when it is not older than the file: a
    /// sidecar older than its file was written for an earlier version.
    /// </summary>
    private async Task<byte[]?> ReadSidecarAsync(FileMetadata file, CancellationToken cancellationToken)
    {
        var sidecar = await _storage.GetMetadataAsync(Sha256Sidecar.KeyOf(file.Key), cancellationToken);
        if (sidecar is null || sidecar.Length > _options.MaxSidecarBytes || sidecar.Length == 0)
        {
            return null;
        }

        if (sidecar.LastModified < file.LastModified)
        {
            Log.DigestSidecarStale(_logger, file.Key);
            return null;
        }

        var content = new byte[sidecar.Length];
        await using (var stream = await _storage.OpenReadAsync(sidecar, 0, sidecar.Length, cancellationToken))
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }

        return Sha256Sidecar.Find(content, file.Key[(file.Key.LastIndexOf('/') + 1)..]);
    }

    /// <summary>Queues every file of the local root (no dot-names, no links, no sidecars), waiting for room as it goes.</summary>
    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        if (Backend is not LocalFileStorageProvider local)
        {
            Log.DigestWarmUpSkipped(_logger);
            return;
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint | FileAttributes.System,
        };
        var queued = 0;
        foreach (var path in Directory.EnumerateFiles(local.RealRoot, "*", options))
        {
            if (path.EndsWith(Sha256Sidecar.Suffix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = Path.GetRelativePath(local.RealRoot, path).Replace(Path.DirectorySeparatorChar, '/');
            if (await _storage.GetMetadataAsync(key, cancellationToken) is not { } file)
            {
                continue;
            }

            var version = new FileVersion(key, file.ETag.ToString());
            if (!KnownDigests.HasDigest(_store.Find(version)))
            {
                await _queue.RequestAsync(version, cancellationToken);
                queued++;
            }
        }

        Log.DigestWarmUpQueued(_logger, queued);
    }
}
