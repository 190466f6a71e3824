namespace LargeFileGateway.Configuration;

/// <summary>How each access-log line is written.</summary>
public enum AccessLogFormat
{
    /// <summary>nginx's "combined" format followed by duration, Range, range kind and outcome.</summary>
    Combined,

    /// <summary>One JSON object per line with the same fields.</summary>
    Json,
}
