namespace LargeFileGateway.Limits;

/// <summary>Which slow-client policy cut a connection (the metrics tag is the name of its key).</summary>
internal enum SlowClientCutReason
{
    /// <summary><c>Gateway:Limits:MinClientRate</c>: read below the minimum past the grace (Kestrel's check).</summary>
    MinClientRate,

    /// <summary><c>Gateway:Limits:IdleWriteTimeout</c>: one write waited that long without the client taking it.</summary>
    IdleWrite,
}
