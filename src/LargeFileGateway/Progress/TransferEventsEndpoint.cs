using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.Features;

namespace LargeFileGateway.Progress;

/// <summary>
/// <c>GET /events</c>: the transfer events as Server-Sent Events (WHATWG HTML §9.2), with a heartbeat comment after
/// each quiet <see cref="EventsOptions.HeartbeatInterval"/>, all written by <see cref="ServerSentEventWriter"/>.
/// </summary>
internal static class TransferEventsEndpoint
{
    public static async Task StreamAsync(HttpContext context, TransferRegistry registry, IOptions<EventsOptions> options, TimeProvider time)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // Identity keeps compressors (the response-compression middleware, a proxy) off the stream: compressed,
        // events would wait in the compressor's buffer. nginx would otherwise buffer it too (proxy_buffering).
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var aborted = context.RequestAborted;

        // Disposed when the loop ends, which it does as soon as the client goes away: the subscription and its
        // queue are released at once.
        using var watcher = registry.Subscribe(lastEventId.Length > 0 ? lastEventId : null);
        try
        {
            await response.StartAsync(aborted);
            await foreach (var published in watcher.ReadAllAsync(options.Value.HeartbeatInterval, time, aborted))
            {
                if (ReferenceEquals(published, PublishedEvent.Heartbeat))
                {
                    ServerSentEventWriter.WriteComment(response.BodyWriter, "heartbeat");
                }
                else
                {
                    ServerSentEventWriter.WriteEvent(response.BodyWriter, published.Item);
                }

                var flushed = await response.BodyWriter.FlushAsync(aborted);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The watcher left: normal for an event stream.
        }
    }
}
