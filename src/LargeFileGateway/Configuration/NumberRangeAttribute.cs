using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace LargeFileGateway.Configuration;

/// <summary>
/// A number between two limits, inclusive unless <see cref="MinimumIsExclusive"/>. In the error message {1} and {2}
/// are the limits. Not the framework's <c>[Range]</c>: the options source generator replaces it with a copy of its
/// own that drops <c>ErrorMessage</c> (.NET 10.0), and every message here must start with its configuration key.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NumberRangeAttribute : ValidationAttribute
{
    public NumberRangeAttribute(int minimum, int maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    public NumberRangeAttribute(double minimum, double maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    public double Minimum { get; }

    public double Maximum { get; }

    public bool MinimumIsExclusive { get; set; }

    public override bool IsValid(object? value)
    {
        var number = value switch
        {
            int i => i,
            long l => l,
            double d => d,
            _ => double.NaN,
        };
        return double.IsNaN(number) ? value is null : (MinimumIsExclusive ? number > Minimum : number >= Minimum) && number <= Maximum;
    }

    public override string FormatErrorMessage(string name)
        => string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
