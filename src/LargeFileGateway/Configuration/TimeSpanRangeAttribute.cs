using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace LargeFileGateway.Configuration;

/// <summary>
/// A <see cref="TimeSpan"/> between two limits, inclusive, given in the invariant "c" format. The framework's
/// <c>Range(typeof(TimeSpan), ...)</c> converts through TypeDescriptor, which trimming (Native AOT) may break.
/// In the error message {1} and {2} are the limits.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.ParseExact(minimum, "c", CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = maximum.Length == 0 ? TimeSpan.MaxValue : TimeSpan.ParseExact(maximum, "c", CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);

    public override string FormatErrorMessage(string name)
        => string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
