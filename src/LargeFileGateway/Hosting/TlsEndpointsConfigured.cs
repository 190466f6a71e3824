namespace LargeFileGateway.Hosting;

/// <summary>
/// Whether the configuration asks Kestrel for any TLS endpoint: an <c>https://</c> URL in <c>Kestrel:Endpoints</c>,
/// in <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>) or <c>https_ports</c>, or an endpoint with a certificate.
/// Read from configuration alone, because the transport it decides for is built with the host, before Kestrel's
/// configuration loader has run.
/// </summary>
internal static class TlsEndpointsConfigured
{
    public static bool In(IConfiguration configuration)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (IsHttpsUrl(endpoint["Url"]) || endpoint.GetSection("Certificate").GetChildren().Any())
            {
                return true;
            }
        }

        if (configuration["urls"] is { } urls && urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(IsHttpsUrl))
        {
            return true;
        }

        return !string.IsNullOrWhiteSpace(configuration["https_ports"]);
    }

    private static bool IsHttpsUrl(string? url) => url is not null && url.TrimStart().StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
