using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace LargeFileGateway.Configuration;

/// <summary>
/// <see cref="RangeAttribute"/> for a <see cref="TimeSpan"/> without its TypeConverter, which trimming (Native AOT)
/// cannot keep: bounds in the invariant "c" format (hh:mm:ss.fff).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is TimeSpan span && span >= Minimum && span <= Maximum;

    public override string FormatErrorMessage(string name)
        => string.Create(CultureInfo.InvariantCulture, $"{name} must be between {Minimum} and {Maximum}.");
}
