namespace LargeFileGateway.Progress;

/// <summary>Where a tracked download stands; every transfer ends in exactly one of the last three.</summary>
internal enum TransferOutcome
{
    Active,
    Completed,

    /// <summary>The client went away before the last byte (a normal event, not an error).</summary>
    Aborted,

    /// <summary>Storage failed, or the gateway did, after the response had started.</summary>
    Failed,
}
