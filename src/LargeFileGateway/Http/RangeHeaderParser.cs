namespace LargeFileGateway.Http;

/// <summary>
/// Parses a <c>Range</c> field value into its range-specs (RFC 9110 §14.1.1, §14.2).
/// </summary>
/// <remarks>
/// Written by hand, not with <c>RangeHeaderValue.TryParse</c>, for one reason: the framework rejects the whole
/// header when a number does not fit in 64 bits, and we want <c>bytes=0-18446744073709551615</c> (MS15-034's probe)
/// to clip to the end like any other oversized last-pos. Everything else follows the ABNF strictly; a header that
/// does not parse is ignored by the caller (200), as RFC 9110 §14.2 permits.
/// </remarks>
internal static class RangeHeaderParser
{
    /// <summary>
    /// More range-specs than this in one header is treated as abusive and the header is ignored without
    /// resolving any of them (CVE-2011-3192). Coalescing then applies the configured, much smaller, cap.
    /// </summary>
    public const int MaxRangeSpecs = 1000;

    private const string BytesUnit = "bytes";

    /// <summary>
    /// A Range field of exactly one range-spec (<c>bytes=0-499</c>), what download managers and players send, parsed
    /// without the list <see cref="TryParse"/> builds. False for anything else, a list included, which
    /// <see cref="TryParse"/> then judges: this is only its shortcut, never a second grammar.
    /// </summary>
    public static bool TryParseSingle(ReadOnlySpan<char> value, out RangeSpec spec)
    {
        spec = default;
        var equals = value.IndexOf('=');
        if (equals <= 0 || value[(equals + 1)..].Contains(',') || !value[..equals].Trim().Equals(BytesUnit, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var element = value[(equals + 1)..].Trim(" \t");
        return !element.IsEmpty && TryParseSpec(element, out spec);
    }

    public static bool TryParse(ReadOnlySpan<char> value, out List<RangeSpec> specs)
    {
        specs = [];
        var equals = value.IndexOf('=');
        if (equals <= 0 || !value[..equals].Trim().Equals(BytesUnit, StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9110 §14.2: an unknown range unit is ignored.
            return false;
        }

        foreach (var elementRange in value[(equals + 1)..].Split(','))
        {
            var element = value[(equals + 1)..][elementRange].Trim(" \t");
            if (element.IsEmpty)
            {
                // The legacy list syntax (RFC 9110 §5.6.1.2) allows empty elements: "0-1,,2-3".
                continue;
            }

            if (specs.Count == MaxRangeSpecs || !TryParseSpec(element, out var spec))
            {
                specs.Clear();
                return false;
            }

            specs.Add(spec);
        }

        return specs.Count > 0;
    }

    private static bool TryParseSpec(ReadOnlySpan<char> element, out RangeSpec spec)
    {
        spec = default;
        var dash = element.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }

        var firstText = element[..dash];
        var lastText = element[(dash + 1)..];
        if (firstText.IsEmpty)
        {
            // suffix-range = "-" suffix-length
            if (!TryParsePosition(lastText, out var suffix))
            {
                return false;
            }

            spec = new RangeSpec(null, suffix);
            return true;
        }

        if (!TryParsePosition(firstText, out var first))
        {
            return false;
        }

        if (lastText.IsEmpty)
        {
            spec = new RangeSpec(first, null);
            return true;
        }

        // RFC 9110 §14.1.1: a last-pos below first-pos makes the range-spec invalid (and so the header).
        if (!TryParsePosition(lastText, out var last) || last < first)
        {
            return false;
        }

        spec = new RangeSpec(first, last);
        return true;
    }

    /// <summary>Parses 1*DIGIT, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
    private static bool TryParsePosition(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            var digit = c - '0';
            value = value > (long.MaxValue - digit) / 10 ? long.MaxValue : (value * 10) + digit;
        }

        return true;
    }
}
