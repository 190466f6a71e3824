using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Http;

/// <summary>
/// Conditional requests for a GET or HEAD of a representation, evaluated in the order of RFC 9110 §13.2.2. Pure:
/// it reads the request fields and the representation's validators, and decides.
/// </summary>
internal static class Preconditions
{
    // lastModifiedIsValidator: false when Last-Modified may stay while the bytes change (an archive: its newest
    // member's time); a 304 is then answered only for a matching ETag, never for If-Modified-Since.
    public static PreconditionOutcome Evaluate(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset lastModified, bool lastModifiedIsValidator = true)
    {
        var headers = request.Headers;

        // Step 1: If-Match uses the strong comparison (RFC 9110 §13.1.1). A field that does not parse
        // cannot match anything, so it fails rather than being silently ignored.
        if (headers.ContainsKey(HeaderNames.IfMatch))
        {
            if (!AnyMatches(request.IfMatch, etag, useStrongComparison: true))
            {
                return PreconditionOutcome.PreconditionFailed;
            }
        }
        else if (request.IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            // Step 2: If-Unmodified-Since only when If-Match is absent; an invalid date is ignored (§13.1.4).
            return PreconditionOutcome.PreconditionFailed;
        }

        // Step 3: If-None-Match uses the weak comparison (RFC 9110 §13.1.2); for GET and HEAD a match is 304.
        if (headers.ContainsKey(HeaderNames.IfNoneMatch))
        {
            return AnyMatches(request.IfNoneMatch, etag, useStrongComparison: false)
                ? PreconditionOutcome.NotModified
                : PreconditionOutcome.Proceed;
        }

        // Step 4: If-Modified-Since only when If-None-Match is absent; an invalid date is ignored (§13.1.3).
        if (lastModifiedIsValidator && request.IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    /// <summary>
    /// Step 5 of RFC 9110 §13.2.2: whether a Range may be honoured. Call only when the request has a Range.
    /// True when there is no If-Range, or it names the current representation exactly.
    /// </summary>
    public static bool IfRangeAllowsRange(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset? lastModified, DateTimeOffset now)
    {
        if (!request.Headers.ContainsKey(HeaderNames.IfRange))
        {
            return true;
        }

        switch (request.IfRange)
        {
            case { EntityTag: { } entityTag }:
                // RFC 9110 §13.1.5: strong comparison, so a weak tag (Chrome's W/"…" for a tail) never matches.
                return entityTag.Compare(etag, useStrongComparison: true);

            case { LastModified: { } date }:
                // RFC 9110 §13.1.5: the date must equal Last-Modified exactly (not "not newer than", the old
                // ASP.NET behaviour), and a date is only a validator when Last-Modified is strong, i.e. at
                // least one second older than the response (§8.8.2.2).
                // A representation whose Last-Modified is no validator (an archive) passes null: only its ETag matches.
                return lastModified is { } current && date == current && now - current >= TimeSpan.FromSeconds(1);

            default:
                // Present but unparsable: we cannot tell it is current, so send the whole representation.
                return false;
        }
    }

    private static bool AnyMatches(IList<EntityTagHeaderValue> tags, EntityTagHeaderValue current, bool useStrongComparison)
    {
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison))
            {
                return true;
            }
        }

        return false;
    }
}
