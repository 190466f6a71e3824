using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Progress;

/// <summary>
/// <c>GET /events</c>: the transfer events as Server-Sent Events (WHATWG HTML §9.2), written by the framework's
/// <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{SseItem{T}})"/>. SseItem carries event, data,
/// id and retry, but has no way to write a comment line, so the heartbeat comment is written to the body by
/// this iterator itself: the formatter writes and flushes each item completely before it asks for the next one,
/// so the two writers never interleave.
/// </summary>
internal static class TransferEventsEndpoint
{
    private static readonly byte[] HeartbeatComment = ": heartbeat\n\n"u8.ToArray();

    public static ServerSentEventsResult<string> Stream(HttpContext context, TransferRegistry registry, IOptions<EventsOptions> options, TimeProvider time)
    {
        // The .NET 10 result also sets Cache-Control (no-cache,no-store), Pragma and Content-Encoding: identity when
        // it runs; this line keeps no-cache should it stop doing so. Identity keeps compressors off the stream.
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";

        // nginx would otherwise buffer the stream (proxy_buffering), and the events would arrive in lumps.
        headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        return TypedResults.ServerSentEvents(ItemsAsync(context, registry, lastEventId, options.Value.HeartbeatInterval, time, context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> ItemsAsync(HttpContext context, TransferRegistry registry, string lastEventId,
        TimeSpan heartbeatInterval, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Disposed when the formatter stops enumerating, which it does as soon as the client goes away: the
        // subscription and its queue are released at once.
        using var watcher = registry.Subscribe(lastEventId.Length > 0 ? lastEventId : null);
        await foreach (var published in watcher.ReadAllAsync(heartbeatInterval, time, cancellationToken))
        {
            if (!ReferenceEquals(published, PublishedEvent.Heartbeat))
            {
                yield return published.Item;
            }
            else if (!await TryWriteHeartbeatAsync(context.Response, cancellationToken))
            {
                yield break;
            }
        }
    }

    private static async Task<bool> TryWriteHeartbeatAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await response.Body.WriteAsync(HeartbeatComment, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
