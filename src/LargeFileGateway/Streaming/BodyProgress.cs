using LargeFileGateway.Progress;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Body bytes handed to the response so far, counted chunk by chunk as they are written, so that a download that
/// ends in an exception (a client that leaves mid-flush, a storage failure) still reports what it really sent.
/// </summary>
internal sealed class BodyProgress(Transfer? transfer = null)
{
    public long BytesWritten { get; private set; }

    /// <summary>The live-progress entry that is told of each chunk too, when someone watches (/events).</summary>
    public Transfer? Transfer { get; } = transfer;

    /// <summary>When the first body byte was written (<see cref="System.Diagnostics.Stopwatch"/> ticks), 0 before it.</summary>
    public long FirstByteTimestamp { get; private set; }

    public void Add(int count)
    {
        if (FirstByteTimestamp == 0 && count > 0)
        {
            FirstByteTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        BytesWritten += count;
        Transfer?.AddBytesSent(count);
    }
}
