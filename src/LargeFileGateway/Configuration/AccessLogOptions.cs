namespace LargeFileGateway.Configuration;

/// <summary>The access log, one line per request. Bound from <c>Gateway:AccessLog</c>.</summary>
internal sealed class AccessLogOptions
{
    public const string SectionName = "Gateway:AccessLog";

    /// <summary>Off by default: a line per request costs throughput (benchmarks/RESULTS.md item 13), and nginx in front often logs already.</summary>
    public bool Enabled { get; set; }

    [System.ComponentModel.DataAnnotations.EnumDataType(typeof(AccessLogFormat), ErrorMessage = SectionName + ":Format must be Combined or Json.")]
    public AccessLogFormat Format { get; set; } = AccessLogFormat.Combined;

    /// <summary>The file to write to; empty writes to standard output.</summary>
    [NoControlCharacters(ErrorMessage = SectionName + ":Path must not contain control characters.")]
    public string Path { get; set; } = string.Empty;

    /// <summary>Size in bytes at which the file is rotated (renamed to Path.1, older ones shifted). 100 MiB.</summary>
    [NumberRange(4096, double.MaxValue, ErrorMessage = SectionName + ":MaxFileBytes must be at least {1}.")]
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How many rotated files are kept besides the current one; older ones are deleted.</summary>
    [NumberRange(0, 1000, ErrorMessage = SectionName + ":MaxFiles must be between {1} and {2}.")]
    public int MaxFiles { get; set; } = 5;

    /// <summary>
    /// Lines waiting for the writer. When the writer cannot keep up, further lines are dropped and counted
    /// (<c>gateway.access_log.dropped</c>) rather than making a request wait.
    /// </summary>
    [NumberRange(16, 1_000_000, ErrorMessage = SectionName + ":QueueCapacity must be between {1} and {2}.")]
    public int QueueCapacity { get; set; } = 16_384;
}
