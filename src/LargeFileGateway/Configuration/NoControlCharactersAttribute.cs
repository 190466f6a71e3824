using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>A string sent as a header value: no control characters (RFC 9110 §5.5), so no header splitting.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NoControlCharactersAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is not string text || !text.AsSpan().ContainsAnyInRange('\0', '\u001f');
}
