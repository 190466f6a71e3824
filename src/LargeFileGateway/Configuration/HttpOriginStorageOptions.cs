namespace LargeFileGateway.Configuration;

/// <summary>The HTTP server the gateway serves files from. Bound from <c>Gateway:Storage:HttpOrigin</c>.</summary>
internal sealed class HttpOriginStorageOptions
{
    public const string SectionName = "Gateway:Storage:HttpOrigin";

    /// <summary>
    /// Absolute http(s) URL the keys are appended to: <c>/files/a/b.iso</c> is fetched from <c>{BaseUrl}/a/b.iso</c>.
    /// The origin must answer HEAD, honour <c>Range</c> with 206, and send a strong ETag or a Last-Modified.
    /// </summary>
    public string? BaseUrl { get; set; }
}
