using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>Folder listings (<c>GET /files/{folder}/</c>, HTML and JSON). Bound from <c>Gateway:Listing</c>.</summary>
internal sealed class ListingOptions
{
    public const string SectionName = "Gateway:Listing";

    /// <summary>Off by default (a download service does not show its folders unless told to); on in the first-run sample.</summary>
    public bool Enabled { get; set; }

    /// <summary>Entries per page of the JSON listing when the client asks for none (and the most the HTML page shows).</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 1_000;
}
