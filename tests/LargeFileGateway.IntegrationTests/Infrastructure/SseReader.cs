using System.Globalization;
using System.Net.Http.Headers;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>One block of a text/event-stream: an event, a retry-only block, or a comment (heartbeat).</summary>
public sealed record SseBlock(string? Type, string? Id, string Data, int? RetryMs, string? Comment);

/// <summary>
/// Reads <c>GET /events</c> with HttpClient streaming, block by block, parsing the wire format itself (WHATWG HTML
/// §9.2.6) so that tests see exactly what was sent, comments included.
/// </summary>
public sealed class SseReader : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        Response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response { get; }

    public static async Task<SseReader> OpenAsync(HttpClient client, string target = "events", string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next block, whatever it is.</summary>
    public async Task<SseBlock> NextAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        string? type = null, id = null, comment = null;
        int? retry = null;
        var data = new List<string>();
        var any = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseBlock(type, id, string.Join('\n', data), retry, comment);
                }

                continue;
            }

            any = true;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "":
                    comment = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                case "id":
                    id = value;
                    break;
                case "retry":
                    retry = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
            }
        }
    }

    /// <summary>Skips blocks until one with the given event type (and matching <paramref name="accept"/>) arrives.</summary>
    public async Task<SseBlock> NextEventAsync(string type, Func<SseBlock, bool>? accept = null, TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        while (true)
        {
            timeout.Token.ThrowIfCancellationRequested();
            var block = await NextAsync(wait);
            if (block.Type == type && (accept is null || accept(block)))
            {
                return block;
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        Response.Dispose();
    }
}
