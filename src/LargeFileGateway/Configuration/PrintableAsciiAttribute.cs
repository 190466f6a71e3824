using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>A token that travels in a header or a query: printable ASCII, no spaces (RFC 6750 §2.1 b64token).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PrintableAsciiAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is not string text || !text.AsSpan().ContainsAnyExceptInRange('\u0021', '\u007e');
}
