namespace LargeFileGateway.Http;

/// <summary>The result of evaluating the conditional request fields (RFC 9110 §13.2.2).</summary>
internal enum PreconditionOutcome
{
    /// <summary>Every precondition holds (or none was sent): go on to Range.</summary>
    Proceed,

    /// <summary>304 Not Modified: the client's copy is current.</summary>
    NotModified,

    /// <summary>412 Precondition Failed.</summary>
    PreconditionFailed,
}
