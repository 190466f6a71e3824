namespace LargeFileGateway.Access;

/// <summary>
/// The answers to refused requests. Every refused signed link gets the same 403 (status, headers and body), whatever
/// failed; only the log line says which check. A missing or invalid token is a 401 with the Bearer challenge of
/// RFC 6750 §3, so that an API client knows to fetch a token.
/// </summary>
internal static class AccessRefusals
{
    public const string ForbiddenDetail = "This link is not valid for this file.";

    public static Task WriteAsync(HttpContext context, AccessRefusalReason reason)
    {
        switch (reason)
        {
            case AccessRefusalReason.TokenMissing:
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"files\"";
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "A bearer token is required.").ExecuteAsync(context);
            case AccessRefusalReason.TokenInvalid:
                // RFC 6750 §3.1: the token was presented and is not acceptable.
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"files\", error=\"invalid_token\"";
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "The bearer token is not valid.").ExecuteAsync(context);
            default:
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: ForbiddenDetail).ExecuteAsync(context);
        }
    }
}
