using LargeFileGateway.Configuration;
using LargeFileGateway.Dashboard;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Listing;

/// <summary>Registers <c>Gateway:Listing</c> and the listing handler, and maps <c>GET /</c>, for Program.cs.</summary>
internal static class ListingServices
{
    public static IServiceCollection AddListing(this IServiceCollection services)
    {
        services.AddOptions<ListingOptions>().BindConfiguration(ListingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ListingOptions>, ListingOptionsValidator>();

        // Read only for Enabled (whether pages link to the zip of their folder); the archives own its validation.
        services.AddOptions<ArchivesOptions>().BindConfiguration(ArchivesOptions.SectionName);
        services.AddSingleton<ListingHandler>();
        return services;
    }

    /// <summary>
    /// <c>GET /</c>, chosen once at start: the root listing when the listing is on; else the dashboard when
    /// <c>Gateway:Events:Access</c> lets anyone see it (through its own access filter, as at <c>/dashboard</c>);
    /// else a plain page naming the service and its URL space.
    /// </summary>
    public static WebApplication MapHomePage(this WebApplication app)
    {
        var handler = app.Services.GetRequiredService<ListingHandler>();
        var events = app.Services.GetRequiredService<IOptions<EventsOptions>>().Value.Access != EventsAccessMode.Off;
        if (handler.IsEnabled)
        {
            app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => handler.HandleAsync(context, string.Empty));
        }
        else if (events)
        {
            app.MapGet("/", DashboardPage.Serve).AddEndpointFilter<EventsAccessFilter>();
        }
        else
        {
            var archives = app.Services.GetRequiredService<IOptions<ArchivesOptions>>().Value.Enabled;
            app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServicePage.ServeAsync(context, archives, events));
        }

        var logger = app.Services.GetRequiredService<ILogger<ListingHandler>>();
        var state = handler.IsEnabled ? "on" : "off";
        app.Lifetime.ApplicationStarted.Register(() => Log.ListingConfigured(logger, state, handler.PageSize, handler.StorageLists, handler.ArchiveLinks));
        return app;
    }
}
