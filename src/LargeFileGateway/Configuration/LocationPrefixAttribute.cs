using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Text;

namespace LargeFileGateway.Configuration;

/// <summary>
/// A prefix nginx can use as a location and as the start of an X-Accel-Redirect URI: ASCII, starting and ending
/// with '/', no empty or '..' segment.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class LocationPrefixAttribute : ValidationAttribute
{
    // nginx cuts an X-Accel-Redirect URI at '?' (arguments), and decodes '%'; '#' and whitespace have no place in
    // a location prefix either.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create("?#% \\");

    public override bool IsValid(object? value)
        => value is string prefix
            && prefix.Length >= 3 && prefix[0] == '/' && prefix[^1] == '/' && !prefix.Contains("//", StringComparison.Ordinal)
            && !prefix.Contains("/../", StringComparison.Ordinal) && prefix.AsSpan().IndexOfAny(Forbidden) < 0
            && Ascii.IsValid(prefix) && !prefix.AsSpan().ContainsAnyInRange('\0', '\u001f');
}
