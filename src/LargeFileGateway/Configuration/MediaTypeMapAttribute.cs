using System.ComponentModel.DataAnnotations;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Configuration;

/// <summary>Extension → media type entries: each extension starts with '.', each media type parses (RFC 9110 §8.3.1).</summary>
/// <param name="key">The configuration key of the map, which each bad entry's key extends.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class MediaTypeMapAttribute(string key) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var errors = (value as IReadOnlyDictionary<string, string> ?? new Dictionary<string, string>())
            .Where(entry => !entry.Key.StartsWith('.') || !MediaTypeHeaderValue.TryParse(entry.Value, out _))
            .Select(entry => $"{key}:{entry.Key} must map an extension starting with '.' to a valid media type (was '{entry.Value}').")
            .ToList();
        return errors.Count == 0 ? ValidationResult.Success : new ValidationResult(string.Join(" ", errors), [validationContext.MemberName!]);
    }
}
