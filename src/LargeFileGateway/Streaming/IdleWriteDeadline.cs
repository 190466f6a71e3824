using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace LargeFileGateway.Streaming;

/// <summary>
/// The idle-write timeout of one download (<c>Gateway:Limits:IdleWriteTimeout</c>): a flush that waits that long for
/// the client is canceled. One token source serves the whole download: it is armed only when a flush does not
/// complete at once (the client is not taking the bytes) and disarmed when it does, so a client that keeps up costs
/// no timer at all, and a slow one one timer change per waiting flush, never an allocation.
/// </summary>
/// <remarks>
/// Kestrel answers a flush canceled by its token by aborting the connection (HTTP/1.1) or resetting the stream
/// (HTTP/2) itself; <see cref="Expired"/> tells that abort from a client that left, whose abort also cancels the
/// token (it is linked to RequestAborted).
/// </remarks>
internal sealed class IdleWriteDeadline : IDisposable
{
    private static readonly FlushResult Canceled = new(isCanceled: true, isCompleted: false);

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _requestAborted;
    private readonly CancellationTokenRegistration _expiry;
    private volatile bool _expired;

    public IdleWriteDeadline(TimeSpan timeout, CancellationToken requestAborted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Timeout = timeout;
        _requestAborted = requestAborted;
        _source = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _expiry = _source.Token.UnsafeRegister(static state => ((IdleWriteDeadline)state!).OnCanceled(), this);
    }

    public TimeSpan Timeout { get; }

    /// <summary>True once a write waited <see cref="Timeout"/> for the client (not when the client left).</summary>
    public bool Expired => _expired;

    /// <summary>
    /// Flushes <paramref name="writer"/>, canceled when it waits <see cref="Timeout"/> or the request is aborted.
    /// Returns a canceled result when the deadline expired (Kestrel has then aborted the connection).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<FlushResult> FlushAsync(PipeWriter writer)
    {
        if (_expired)
        {
            return Canceled;
        }

        var flushing = writer.FlushAsync(_source.Token);
        if (flushing.IsCompleted)
        {
            return flushing.Result;
        }

        _source.CancelAfter(Timeout);
        try
        {
            var result = await flushing;
            return _expired ? Canceled : result;
        }
        catch (OperationCanceledException) when (_expired)
        {
            return Canceled;
        }
        finally
        {
            // A timer that fires between the end of the flush and this line has seen a write wait the whole timeout:
            // the next flush then finds the deadline expired, which is what it is.
            _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _expiry.Dispose();
        _source.Dispose();
    }

    // The linked source is canceled by its timer or by RequestAborted; only the timer leaves RequestAborted alone.
    private void OnCanceled() => _expired = !_requestAborted.IsCancellationRequested;
}
