namespace LargeFileGateway.Access;

/// <summary>
/// Why a request was refused. Only the log line and the metric tag say it: every 403 the client sees is the same
/// (an attacker learns nothing about which check failed).
/// </summary>
internal enum AccessRefusalReason
{
    None,

    /// <summary>The policy wants a signed link and the query has no <c>sig</c>.</summary>
    SignatureMissing,

    /// <summary>A signed-link parameter is missing, duplicated or not in its one accepted spelling.</summary>
    MalformedLink,

    /// <summary>The <c>kid</c> names no configured key.</summary>
    UnknownKey,

    /// <summary>The MAC does not match: tampered parameters, another key, another host, or another path.</summary>
    BadSignature,

    /// <summary>The link is bound to a network (<c>ip=</c>) the client is not in.</summary>
    WrongNetwork,

    /// <summary>The link expired, and the request is not a resume of the same version within the grace.</summary>
    Expired,

    /// <summary>The policy wants a token and the request has no <c>Authorization: Bearer</c>.</summary>
    TokenMissing,

    /// <summary>The token is expired, wrongly signed, for another audience or issuer, or not a JWT.</summary>
    TokenInvalid,

    /// <summary>The token is valid but its prefix claim does not cover the key.</summary>
    TokenScope,
}
