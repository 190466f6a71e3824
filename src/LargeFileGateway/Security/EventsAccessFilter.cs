using System.Security.Cryptography;
using System.Text;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>
/// Guards <c>/events</c> and the dashboard by <c>Gateway:Events:Access</c>: Off answers 404 (the feature does not
/// exist for outsiders), BearerToken answers 401 with a Bearer challenge (RFC 6750 §3) unless the token comes as
/// <c>Authorization: Bearer</c> or, because a browser's EventSource cannot set headers, as <c>access_token</c>
/// in the query (RFC 6750 §2.3). Open goes through the access step (<see cref="AccessGate.CheckEverythingAsync"/>): the
/// stream names every key being downloaded, so as soon as one key is protected it needs a proof for the whole root (a
/// prefix-scoped link for the root, or a token whose prefixes include <c>*</c>); with everything open, anyone.
/// </summary>
internal sealed class EventsAccessFilter : IEndpointFilter
{
    private readonly EventsAccessMode _mode;
    private readonly byte[] _tokenHash;
    private readonly AccessGate _access;

    public EventsAccessFilter(IOptions<EventsOptions> options, AccessGate access)
    {
        _access = access;
        _mode = options.Value.Access;
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token ?? string.Empty));
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        switch (_mode)
        {
            case EventsAccessMode.Open when _access.IsEverythingOpen:
                return next(context);
            case EventsAccessMode.Open:
                return CheckRootAccessAsync(context, next);
            case EventsAccessMode.BearerToken when HasToken(context.HttpContext.Request):
                return next(context);
            case EventsAccessMode.BearerToken:
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"events\"";
                return ValueTask.FromResult<object?>(TypedResults.Unauthorized());
            default:
                return ValueTask.FromResult<object?>(TypedResults.NotFound());
        }
    }

    private async ValueTask<object?> CheckRootAccessAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => await _access.CheckEverythingAsync(context.HttpContext) ? await next(context) : Results.Empty;

    private bool HasToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : request.Query["access_token"].ToString();

        // Hashing first makes the comparison constant-time in the length too.
        return token.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _tokenHash);
    }
}
