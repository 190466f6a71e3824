namespace LargeFileGateway.Hosting;

/// <summary>
/// Whether the configuration asks Kestrel for any TLS endpoint: an <c>https://</c> URL in <c>Kestrel:Endpoints</c>,
/// or an endpoint there with a certificate; without such endpoints, in <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>)
/// or <c>https_ports</c>.
/// Read from configuration alone, because the transport it decides for is built with the host, before Kestrel's
/// configuration loader has run.
/// </summary>
internal static class TlsEndpointsConfigured
{
    public static bool In(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        if (endpoints.Count > 0)
        {
            // Kestrel then ignores urls and https_ports ("Overriding address(es)"): the endpoints alone decide.
            return endpoints.Any(endpoint => IsHttpsUrl(endpoint["Url"]) || endpoint.GetSection("Certificate").GetChildren().Any());
        }

        if (configuration["urls"] is { } urls && urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(IsHttpsUrl))
        {
            return true;
        }

        return !string.IsNullOrWhiteSpace(configuration["https_ports"]);
    }

    private static bool IsHttpsUrl(string? url) => url is not null && url.TrimStart().StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
