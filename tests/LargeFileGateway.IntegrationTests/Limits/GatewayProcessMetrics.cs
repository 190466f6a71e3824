using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Operations;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>/metrics of a gateway run as its own process (its meters are its own, whatever else the test host runs).</summary>
internal static class GatewayProcessMetrics
{
    /// <summary>
    /// Scrapes until <paramref name="condition"/> holds (bounded): the exporter caches its answer for a moment, and a
    /// download is counted when its handler ends, just after the client has its last byte.
    /// </summary>
    /// <param name="gateway">The gateway to scrape.</param>
    /// <param name="condition">What the scrape must show.</param>
    /// <param name="http2">True for an endpoint that speaks only HTTP/2 (cleartext, prior knowledge).</param>
    public static async Task<PrometheusText> ScrapeUntilAsync(GatewayProcess gateway, Func<PrometheusText, bool> condition, bool http2 = false)
    {
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}/"),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var text = PrometheusText.Parse(await client.GetStringAsync("metrics"));
        for (var i = 0; i < 100 && !condition(text); i++)
        {
            await timer.WaitForNextTickAsync();
            text = PrometheusText.Parse(await client.GetStringAsync("metrics"));
        }

        return text;
    }
}
