namespace LargeFileGateway.Configuration;

/// <summary>
/// Cross-origin reads (CORS) for web apps on other origins that fetch ranges or play video from the gateway. Off
/// while <see cref="Origins"/> is empty. Bound from <c>Gateway:Cors</c>.
/// </summary>
internal sealed class CrossOriginOptions
{
    public const string SectionName = "Gateway:Cors";

    /// <summary>Origins allowed to read responses, as <c>https://app.example.com</c> (scheme, host, port); <c>*</c> for any origin.</summary>
    [OriginList(SectionName + ":Origins")]
    public string[] Origins { get; set; } = [];

    /// <summary>
    /// Whether pages may send cookies or HTTP authentication along (<c>Access-Control-Allow-Credentials</c>). Not
    /// with <c>*</c>. Bearer tokens set by script need no credentials mode.
    /// </summary>
    public bool AllowCredentials { get; set; }

    /// <summary>How long a browser may cache a preflight answer.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = SectionName + ":PreflightMaxAge must be between {1} and {2}.")]
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsEnabled => Origins.Length > 0;
}
