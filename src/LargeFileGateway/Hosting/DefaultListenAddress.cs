namespace LargeFileGateway.Hosting;

/// <summary>
/// Where the gateway listens when nothing says so: loopback only, so a first run exposes nothing. Anything the
/// ASP.NET Core conventions offer wins over it (issue 10, reliability 8): <c>--urls</c>, a <c>Urls</c> key in any
/// settings file, <c>ASPNETCORE_URLS</c> / <c>DOTNET_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c> /
/// <c>ASPNETCORE_HTTPS_PORTS</c> (which container images set) and <c>Kestrel:Endpoints</c>. A <c>Urls</c> value in
/// the bundled appsettings.json would override the port variables, so the default lives here instead.
/// </summary>
internal static class DefaultListenAddress
{
    public const string Url = "http://127.0.0.1:8080";

    // The host's keys: the ASPNETCORE_ and DOTNET_ prefixes are stripped when environment variables are read.
    private static readonly string[] AddressKeys = ["urls", "http_ports", "https_ports"];

    /// <summary>True when no source names an address, so <see cref="Url"/> applies.</summary>
    public static bool Applies(IConfiguration configuration)
        => AddressKeys.All(key => string.IsNullOrWhiteSpace(configuration[key]))
            && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>Listens on <see cref="Url"/> when <see cref="Applies"/>; call after every configuration source is added.</summary>
    public static void UseWhenNoneConfigured(IWebHostBuilder webHost, IConfiguration configuration)
    {
        if (Applies(configuration))
        {
            webHost.UseUrls(Url);
        }
    }
}
