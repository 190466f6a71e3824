using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace LargeFileGateway.Digests;

/// <summary>
/// The integrity fields of a 200 or 206 (and its HEAD): <c>Repr-Digest</c> (RFC 9530 §3) always when a digest is
/// known, as the client's <c>Want-Repr-Digest</c> prefers (§4); and the obsolete <c>Digest</c> of RFC 3230 only
/// when the request carries <c>Want-Digest</c>, because that is what aria2 sends and verifies.
/// </summary>
/// <remarks>
/// Both describe the whole selected representation, so a single or multipart 206 carries the digest of the whole
/// file, not of its part (RFC 9530 §3: the representation digest is independent of Content-Range). A 304 carries
/// neither: RFC 9110 §15.4.5 lists the fields a 304 sends and asks for no other representation metadata.
/// </remarks>
internal static class DigestFields
{
    public const string ReprDigest = "Repr-Digest";
    public const string WantReprDigest = "Want-Repr-Digest";
    public const string Digest = "Digest";
    public const string WantDigest = "Want-Digest";

    // Stronger first: what is sent when the client prefers nothing in particular, or two equally.
    private static readonly string[] s_byStrength = [ContentFacts.Sha512, ContentFacts.Sha256];

    public static void Write(IHeaderDictionary request, IHeaderDictionary response, ContentFacts? facts)
    {
        if (facts is null)
        {
            return;
        }

        if (ChooseReprDigest(request[WantReprDigest], facts) is { } repr)
        {
            response[ReprDigest] = repr + "=:" + Convert.ToBase64String(facts.Get(repr)!) + ":";
        }

        if (request.TryGetValue(WantDigest, out var wantDigest) && ChooseLegacyDigest(wantDigest, facts) is { } legacy)
        {
            // RFC 3230 names the algorithms in upper case (the IANA registry of RFC 5843: "SHA-256").
            response[Digest] = legacy.ToUpperInvariant() + "=" + Convert.ToBase64String(facts.Get(legacy)!);
        }
    }

    /// <summary>
    /// The algorithm of the <c>Repr-Digest</c>: without preferences, the strongest known; with them (an RFC 9651
    /// dictionary of weights 0-10), the known algorithm of the highest weight, where 0 means "not acceptable" and an
    /// algorithm not named ranks below every named one. Null when no known algorithm is acceptable.
    /// </summary>
    public static string? ChooseReprDigest(StringValues want, ContentFacts facts)
    {
        var weights = ParseWeights(want, separator: '=', caseInsensitive: false);
        return Choose(weights, facts);
    }

    /// <summary>
    /// The algorithm of the RFC 3230 <c>Digest</c>: among those <c>Want-Digest</c> names (<c>SHA-256;q=1</c>,
    /// case-insensitive), the known one of the highest q above 0; null when it names none we know.
    /// </summary>
    public static string? ChooseLegacyDigest(StringValues want, ContentFacts facts)
    {
        var weights = ParseWeights(want, separator: ';', caseInsensitive: true);
        if (weights is null)
        {
            return null;
        }

        string? best = null;
        var bestWeight = 0.0;
        foreach (var algorithm in s_byStrength)
        {
            if (facts.Get(algorithm) is not null && weights.TryGetValue(algorithm, out var weight) && weight > bestWeight)
            {
                (best, bestWeight) = (algorithm, weight);
            }
        }

        return best;
    }

    private static string? Choose(Dictionary<string, double>? weights, ContentFacts facts)
    {
        string? best = null;
        var bestWeight = double.MinValue;
        foreach (var algorithm in s_byStrength)
        {
            if (facts.Get(algorithm) is null)
            {
                continue;
            }

            // Unnamed: acceptable, below anything named.
            var weight = weights is null || !weights.TryGetValue(algorithm, out var named) ? -1 : named;
            if (weight == 0)
            {
                continue;
            }

            if (weight > bestWeight)
            {
                (best, bestWeight) = (algorithm, weight);
            }
        }

        return best;
    }

    /// <summary>
    /// Algorithm → weight, from every field line; null when there is no preference at all. A member that does not
    /// parse is skipped (RFC 9651 would fail the whole field; ignoring one member keeps the rest of a client's wishes).
    /// </summary>
    private static Dictionary<string, double>? ParseWeights(StringValues fields, char separator, bool caseInsensitive)
    {
        if (StringValues.IsNullOrEmpty(fields))
        {
            return null;
        }

        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            foreach (var member in (field ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var at = member.IndexOf(separator, StringComparison.Ordinal);
                var name = (at < 0 ? member : member[..at]).Trim();
                name = caseInsensitive ? name.ToLowerInvariant() : name;
                var weight = 1.0;
                if (at >= 0 && !TryParseWeight(member[(at + 1)..].Trim(), separator == ';', out weight))
                {
                    continue;
                }

                weights[name] = weight;
            }
        }

        return weights;
    }

    private static bool TryParseWeight(string text, bool qValue, out double weight)
    {
        if (qValue)
        {
            // RFC 3230 §4.3.1: "SHA-256;q=0.5".
            weight = 0;
            return text.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out weight) && weight is >= 0 and <= 1;
        }

        // RFC 9530 §4: an Integer from 0 to 10; parameters after ';' are ignored.
        var end = text.IndexOf(';', StringComparison.Ordinal);
        var number = end < 0 ? text : text[..end];
        var parsed = int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var integer) && integer is >= 0 and <= 10;
        weight = integer;
        return parsed;
    }
}
