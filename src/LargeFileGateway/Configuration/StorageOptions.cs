using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>Where files come from. Bound from <c>Gateway:Storage</c>.</summary>
internal sealed class StorageOptions
{
    public const string SectionName = "Gateway:Storage";

    /// <summary>Which provider serves the bytes.</summary>
    [EnumDataType(typeof(StorageProviderKind), ErrorMessage = SectionName + ":Provider must be Local, S3 or HttpOrigin.")]
    public StorageProviderKind Provider { get; set; } = StorageProviderKind.Local;

    /// <summary>
    /// The folder the local provider serves (<c>--root DIR</c> on the command line). When not set, the gateway
    /// serves <c>./data</c> and creates it with a sample file on first run.
    /// </summary>
    public string? Root { get; set; }
}
