namespace LargeFileGateway.Access;

/// <summary>What a request must carry to read a key under a prefix (<c>Gateway:Access</c>).</summary>
public enum AccessPolicy
{
    /// <summary>Anyone who can reach the gateway (the default, so that the first run needs no keys).</summary>
    Open,

    /// <summary>A signed link (<c>exp</c>, <c>kid</c>, <c>sig</c> in the query) covering the key.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The configuration value operators write: a signed link, not a signed integer.")]
    Signed,

    /// <summary>A bearer token (JWT) whose prefix claim covers the key.</summary>
    Token,

    /// <summary>Either of the two.</summary>
    SignedOrToken,
}
