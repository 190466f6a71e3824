using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Numerics;
using System.Runtime.CompilerServices;
using LargeFileGateway.Http;
using LargeFileGateway.Limits;
using LargeFileGateway.Observability;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Copies one byte range of a representation into a <see cref="PipeWriter"/> in fixed-size chunks:
/// read from storage into a rented buffer → copy into the writer's pool blocks → FlushAsync. The flush waits while
/// the client is slower than storage (Kestrel's response buffer limit), so each download holds about one chunk plus
/// that buffer, whatever the file size. Until the client has shown that it is fast (<see cref="ClientPace"/>), the
/// chunks are the smaller slow-client size; once it has, and while the <see cref="FlushBudget"/> has room, one flush
/// carries as many chunks as the client takes in <see cref="FastFlushTime"/> (the budget bounds what such flushes
/// hold together). When a read fails mid-body, it reopens the object at the exact offset reached (same version only), so the client sees one uninterrupted response.
/// </summary>
internal sealed class ChunkCopier
{
    /// <summary>
    /// How long a fast client's flush may take it, at its pace, when the budget allows more than a chunk per flush:
    /// the client's bytes in flight are then about its pace times this, so a flush's size follows the client's speed
    /// (a 50 MiB/s client gets about 200 KiB, a loopback reader at 2 GiB/s the most allowed).
    /// </summary>
    public static readonly TimeSpan FastFlushTime = TimeSpan.FromMilliseconds(4);

    private readonly int _chunkSizeBytes;
    private readonly int _slowClientChunkSizeBytes;
    private readonly int _fastClientFlushBytes;
    private readonly FlushBudget? _flushBudget;
    private readonly int _maxResumes;
    private readonly ILogger _logger;
    private readonly GatewayMetrics? _metrics;

    /// <param name="chunkSizeBytes">Bytes per read and flush.</param>
    /// <param name="maxResumes">How often one range may be reopened at its offset after a failed read (0: never).</param>
    /// <param name="logger">Logs each resume.</param>
    /// <param name="metrics">Counts each resume.</param>
    /// <param name="slowClientChunkSizeBytes">Bytes per read and flush while the client is slow; at or above
    /// <paramref name="chunkSizeBytes"/> (or unset), every chunk is the full size.</param>
    /// <param name="fastClientFlushBytes">Most bytes a fast client's download writes per flush, in whole chunks; at
    /// or below <paramref name="chunkSizeBytes"/> (or unset), or without a <paramref name="flushBudget"/>, one chunk.</param>
    /// <param name="flushBudget">What fast downloads together may write ahead of their flushes.</param>
    public ChunkCopier(int chunkSizeBytes, int maxResumes = 0, ILogger? logger = null, GatewayMetrics? metrics = null, int? slowClientChunkSizeBytes = null,
        int? fastClientFlushBytes = null, FlushBudget? flushBudget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSizeBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxResumes);
        ArgumentOutOfRangeException.ThrowIfLessThan(slowClientChunkSizeBytes ?? 1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fastClientFlushBytes ?? 1, 1);
        _chunkSizeBytes = chunkSizeBytes;
        _slowClientChunkSizeBytes = Math.Min(slowClientChunkSizeBytes ?? chunkSizeBytes, chunkSizeBytes);
        _fastClientFlushBytes = fastClientFlushBytes is { } flushBytes ? flushBytes / chunkSizeBytes * chunkSizeBytes : chunkSizeBytes;
        _flushBudget = _fastClientFlushBytes > chunkSizeBytes && _slowClientChunkSizeBytes < chunkSizeBytes ? flushBudget : null;
        _maxResumes = maxResumes;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
    }

    public int ChunkSizeBytes => _chunkSizeBytes;

    /// <summary>
    /// Bytes one flush of a fast client may gather, in whole chunks: what it takes in <see cref="FastFlushTime"/> at
    /// <paramref name="bytesPerSecond"/>, at most <see cref="_fastClientFlushBytes"/> and <paramref name="remaining"/>.
    /// At most one chunk means a flush per chunk.
    /// </summary>
    internal int FastFlushBytes(long bytesPerSecond, long remaining)
    {
        var atPace = bytesPerSecond * FastFlushTime.TotalSeconds;
        var bytes = (long)Math.Min(Math.Min(atPace, remaining), _fastClientFlushBytes);
        if (bytes <= _chunkSizeBytes)
        {
            return 0;
        }

        // A power of two, as the array the pipe rents for it is: no spare tail that the next chunk would be written
        // into, which would keep the large array alive for a client that then stops reading.
        bytes = 1L << BitOperations.Log2((ulong)bytes);
        return (int)(bytes / _chunkSizeBytes * _chunkSizeBytes);
    }

    /// <summary>
    /// Writes <paramref name="range"/> of <paramref name="representation"/> to <paramref name="writer"/>. Returns
    /// the number of bytes written, which is less than the range only when the client went away (the pipe was
    /// completed or canceled). Throws <see cref="StorageObjectChangedException"/> when storage ends before the range
    /// does or the object changed before a resume, and <see cref="StorageUnavailableException"/> when the resume
    /// budget is spent: the caller must then abort the connection rather than end a short body. Each chunk is
    /// counted on <paramref name="progress"/> as it is written, so an exception still leaves the true count there.
    /// With a <paramref name="throttle"/>, each chunk waits for its bytes first (and is no larger than the throttle's
    /// buckets hold); without one, nothing of it runs. With an <paramref name="idleWrite"/> deadline, a flush that
    /// waits its timeout for the client ends the copy like a client that left (Kestrel has aborted the connection).
    /// <paramref name="pace"/> is the client's pace to go on from (one per HTTP/1.x connection); without one, the copy
    /// judges the client afresh. <paramref name="response"/> is the response <paramref name="writer"/> writes, when the
    /// copy may start it (see <see cref="ReadIntoAsync"/>); it is started only once a chunk has been read whole.
    /// </summary>
    public async Task<long> CopyAsync(Representation representation, ByteRange range, PipeWriter writer, BodyProgress progress, CancellationToken cancellationToken,
        DownloadThrottle? throttle = null, IdleWriteDeadline? idleWrite = null, ClientPace? pace = null, HttpResponse? response = null)
    {
        var position = range.First;
        var end = range.Last + 1;
        var resumes = 0;

        // Bytes advanced since the last flush, and what of the budget this flush holds (0: it flushes every chunk).
        var unflushed = 0;
        var flushLease = 0;
        var gathers = _flushBudget is not null && throttle is null && idleWrite is null;

        // Asked once, not per chunk: after the first chunk's flush the response has started either way.
        var unstarted = response is { HasStarted: false } ? response : null;
        pace ??= new ClientPace();
        pace.Resume(Stopwatch.GetTimestamp());
        using var span = StorageActivities.StartRead(position, range.Length);
        Stream source;
        try
        {
            source = await representation.OpenReadAsync(position, range.Length, cancellationToken);
        }
        catch (Exception ex) when (span is not null)
        {
            StorageActivities.Fail(span, ex);
            throw;
        }

        try
        {
            while (position < end)
            {
                if (gathers && flushLease == 0 && unflushed == 0 && unstarted is null && pace.IsFast)
                {
                    // Not for a throttled download (it waits for its rate chunk by chunk), nor under an idle-write
                    // deadline (it times one flush, and a gathered one is larger than the client's pace can promise
                    // once it falls), nor for the first flush of a response (its first byte would wait for the whole).
                    // A lease is taken once per flush: a read that fails inside it resumes within the same lease.
                    var bytes = FastFlushBytes(pace.BytesPerSecond, end - position);
                    if (bytes > _chunkSizeBytes && _flushBudget!.TryTake(bytes))
                    {
                        flushLease = bytes;
                    }
                }

                // Not GetMemory(chunk) for a slow client: Kestrel's pool blocks are 4 KiB, and a larger size hint
                // makes its pipe rent each chunk from ArrayPool.Shared instead, which cannot keep one array per slow
                // client, so every chunk became garbage (harness, 500 slow readers: 191 → 146 MiB peak RSS;
                // benchmarks/RESULTS.md, tuning item 1). Its chunks are read into a rented buffer, copied into pool
                // blocks, and the buffer is returned before the flush waits on the client.
                // A range that fits one chunk is read whole (one read, straight into the response): it holds that
                // much whichever way it is cut. Longer ones go in small chunks until the client shows it is fast,
                // then in full chunks read straight into the response (tuning item 16).
                var remaining = end - position;
                var wanted = flushLease > 0
                    ? (int)Math.Min(flushLease - unflushed, remaining)
                    : (int)Math.Min(position == range.First && remaining <= _chunkSizeBytes || pace.IsFast ? _chunkSizeBytes : _slowClientChunkSizeBytes, remaining);
                if (throttle is not null)
                {
                    // Before the read, so that no buffer is held while the download waits for its rate.
                    wanted = Math.Min(wanted, throttle.MaxChunkBytes);
                    await throttle.WaitAsync(wanted, cancellationToken);
                }

                int read;
                try
                {
                    // The clock is read only when someone records read times (metrics on): nothing otherwise.
                    var started = _metrics is { TimesStorageReads: true } ? Stopwatch.GetTimestamp() : 0;
                    var direct = position == range.First && wanted == end - position || pace.IsFast && wanted >= _chunkSizeBytes || flushLease > 0;
                    read = await ReadIntoAsync(source, writer, wanted, direct, unstarted, cancellationToken);
                    if (started != 0)
                    {
                        _metrics!.StorageRead(Stopwatch.GetElapsedTime(started));
                    }
                }
                catch (StorageUnavailableException ex) when (ex.IsTimeout || ex.IsInstanceOverloaded)
                {
                    // A read that timed out or found this instance out of resources would meet the same device or the
                    // same shortage again: no resume, and the caller answers 504 or "overloaded" (or aborts) as it is.
                    throw;
                }
                catch (Exception ex) when (ex is IOException or StorageUnavailableException && !cancellationToken.IsCancellationRequested)
                {
                    // The backend failed mid-body. Nothing of this chunk was advanced, so `position` is exactly the
                    // next byte the client needs: reopen there, pinned to the same version by the provider (a
                    // changed object throws StorageObjectChangedException, and the handler aborts the connection).
                    if (++resumes > _maxResumes)
                    {
                        StorageActivities.Fail(span, ex);
                        Log.StorageResumeBudgetExhausted(_logger, representation.Key, position, _maxResumes, ex);
                        throw new StorageUnavailableException("Storage kept failing mid-body; the resume budget is spent.", ex);
                    }

                    Log.StorageReadResumed(_logger, representation.Key, position, resumes, _maxResumes, ex);
                    _metrics?.StorageReadResumed();
                    StorageActivities.AddResume(span, position, resumes, ex);
                    await source.DisposeAsync();
                    source = Stream.Null;
                    source = await representation.OpenReadAsync(position, end - position, cancellationToken);
                    continue;
                }

                if (read == 0)
                {
                    span?.SetStatus(ActivityStatusCode.Error, "short read");
                    throw new StorageObjectChangedException("The file ended before its announced length.");
                }

                position += read;
                progress.Add(read);
                unstarted = null;
                unflushed += read;
                if (unflushed < flushLease && position < end)
                {
                    // Storage gave less than the flush wants (a remote body arrives a TLS record at a time): the rest
                    // goes into what is left of the same segment, so the flush holds no more memory than its lease.
                    continue;
                }

                var flush = idleWrite is null ? await writer.FlushAsync(cancellationToken) : await idleWrite.FlushAsync(writer);
                var flushed = unflushed;
                unflushed = 0;
                if (flushLease > 0)
                {
                    _flushBudget!.Return(flushLease);
                    flushLease = 0;
                }

                if (flush.IsCanceled || flush.IsCompleted)
                {
                    break;
                }

                if (_slowClientChunkSizeBytes < _chunkSizeBytes)
                {
                    pace.Taken(flushed, Stopwatch.GetTimestamp());
                }
            }
        }
        finally
        {
            if (flushLease > 0)
            {
                _flushBudget!.Return(flushLease);
            }

            await source.DisposeAsync();
        }

        return position - range.First;
    }

    // Pooled: a plain async ValueTask allocates its state machine on every read that completes asynchronously
    // (141 B per chunk, 9 MB per 4 GiB in ChunkCopierBenchmarks), which made memory grow with the file.
    // A failed read writes nothing, so the resume above reopens exactly at the first byte the client lacks.
    //
    // Before the response has started, Kestrel keeps what is written in a buffer of its own and copies it into the
    // response pipe, 4 KiB block by block (each under the pipe's lock), once the headers are written: 8.5 % of the
    // server's CPU on random 64 KiB ranges (perf, benchmarks/RESULTS.md tuning item 18), and the socket then sends
    // seventeen buffers. So a direct chunk of an unstarted response is read into a rented buffer first, the response
    // is started once the read has succeeded (a storage failure before it can still be answered with a status of its
    // own, or looked up again), and the chunk is copied once into one segment of the pipe's own memory.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ReadIntoAsync(Stream source, PipeWriter writer, int count, bool direct, HttpResponse? unstarted, CancellationToken cancellationToken)
    {
        if (direct && unstarted is not null)
        {
            var rented = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                var read = await source.ReadAsync(rented.AsMemory(0, count), cancellationToken);
                if (read > 0)
                {
                    await unstarted.StartAsync(cancellationToken);
                    rented.AsSpan(0, read).CopyTo(writer.GetMemory(read).Span);
                    writer.Advance(read);
                }

                return read;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        if (direct)
        {
            // Straight into the response's memory, one copy fewer: a range that is one chunk (a random 64 KiB range, a
            // seek), and the full chunks of a client that has shown it is fast. Such a client takes each chunk within
            // milliseconds, so the array the pipe rents for it from ArrayPool.Shared goes back before many others are
            // rented, and the socket sends one buffer instead of sixteen pool blocks. The rented buffer below stays
            // for slow clients, whose chunks would otherwise each hold an array of ArrayPool.Shared while the client
            // dawdles (the note above).
            var read = await source.ReadAsync(writer.GetMemory(count)[..count], cancellationToken);
            writer.Advance(read);
            return read;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, count), cancellationToken);
            writer.Write(buffer.AsSpan(0, read));
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
