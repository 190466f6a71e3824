namespace LargeFileGateway.Streaming;

/// <summary>
/// Response bytes that fast downloads together may write ahead of a flush, process-wide. A fast client's download
/// writes several chunks before each flush (<see cref="ChunkCopier"/>): a flush costs a hand-over to the socket's send
/// loop and back, whatever its size. Those bytes sit in the response pipe until the socket takes them, so a client
/// that stops reading in the middle of such a flush holds them; the budget bounds what all such clients hold together.
/// When it is spent, downloads flush every chunk, as slower ones always do.
/// </summary>
internal sealed class FlushBudget
{
    private long _available;

    public FlushBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
        _available = bytes;
    }

    /// <summary>The whole budget.</summary>
    public long Bytes { get; }

    /// <summary>What is not taken now.</summary>
    public long Available => Volatile.Read(ref _available);

    /// <summary>Takes <paramref name="bytes"/> when that much is left; false (and nothing taken) otherwise.</summary>
    public bool TryTake(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var available = Volatile.Read(ref _available);
        while (available >= bytes)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available)
            {
                return true;
            }

            available = seen;
        }

        return false;
    }

    /// <summary>Gives back what one <see cref="TryTake"/> took, once its flush has completed or its copy has ended.</summary>
    public void Return(int bytes)
    {
        var available = Interlocked.Add(ref _available, bytes);
        System.Diagnostics.Debug.Assert(available <= Bytes, "More was given back than was taken.");
    }
}
