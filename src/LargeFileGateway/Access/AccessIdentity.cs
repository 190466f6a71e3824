namespace LargeFileGateway.Access;

/// <summary>How a request proved who it is.</summary>
public enum AccessIdentityKind
{
    /// <summary>Nothing but its address (an open path).</summary>
    ClientAddress,

    /// <summary>A signed link.</summary>
    SignedLink,

    /// <summary>A bearer token.</summary>
    Token,
}

/// <summary>
/// Who a request is, once access allowed it, for what comes after (fair-use limits share a budget per
/// <see cref="PartitionKey"/>). Set as a request feature by the access step: <c>context.Features.Get&lt;AccessIdentity&gt;()</c>.
/// </summary>
/// <param name="Kind">What proved the identity.</param>
/// <param name="PartitionKey">
/// A stable, bounded string naming the identity: <c>ip:&lt;address&gt;</c>, <c>link:&lt;kid&gt;:&lt;sig&gt;</c> or
/// <c>sub:&lt;issuer&gt;:&lt;subject&gt;</c>. Never a secret.
/// </param>
/// <param name="RatePerDownload">The <c>rate=</c> of a signed link in bytes per second, when it has one.</param>
public sealed record AccessIdentity(AccessIdentityKind Kind, string PartitionKey, long? RatePerDownload = null);
