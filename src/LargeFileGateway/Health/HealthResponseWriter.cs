using System.Net;
using System.Text.Json;
using LargeFileGateway.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LargeFileGateway.Health;

/// <summary>
/// Writes a probe's answer: the plain status ("Healthy", "Unhealthy") that load balancers match on, or JSON details
/// for a caller who asks (<c>?details</c> or <c>Accept: application/json</c>) and is allowed by
/// <see cref="HealthOptions.Details"/>. The status code is the framework's: 200 when healthy, 503 when not.
/// </summary>
internal sealed class HealthResponseWriter(HealthDetailsMode mode)
{
    public Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (!WantsDetails(context.Request) || !MayShow(context.Connection.RemoteIpAddress))
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(report.Status.ToString(), context.RequestAborted);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return WriteDetailsAsync(context, report);
    }

    private static bool WantsDetails(HttpRequest request)
        => request.Query.ContainsKey("details")
            || request.GetTypedHeaders().Accept.Any(static accept => accept.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    private bool MayShow(IPAddress? client) => mode switch
    {
        HealthDetailsMode.Always => true,
        HealthDetailsMode.Loopback => client is not null && IPAddress.IsLoopback(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client),
        _ => false,
    };


    private static async Task WriteDetailsAsync(HttpContext context, HealthReport report)
    {
        // Utf8JsonWriter, not a serializer: no reflection under Native AOT, and the shape is small and fixed.
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("duration_ms", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description);
            json.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 3));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
