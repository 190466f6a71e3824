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

    public void Add(int count)
    {
        BytesWritten += count;
        Transfer?.AddBytesSent(count);
    }
}
