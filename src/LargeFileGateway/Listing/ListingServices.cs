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
    /// <c>GET /</c>: the root listing when the listing is on; else the dashboard when <c>Gateway:Events:Access</c> lets
    /// anyone see it (through its own access filter, as at <c>/dashboard</c>); else a plain page naming the service
    /// and its URL space. Decided per request from options read on first use, so that a bad configuration is still
    /// reported all at once by the start-up validation, not by this mapping.
    /// </summary>
    public static WebApplication MapHomePage(this WebApplication app)
    {
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], static async (HttpContext context, ListingHandler listing, IOptions<EventsOptions> events,
            IOptions<ArchivesOptions> archives, EventsAccessFilter eventsAccess) =>
        {
            if (listing.IsEnabled)
            {
                await listing.HandleAsync(context, string.Empty);
            }
            else if (events.Value.Access != EventsAccessMode.Off && HttpMethods.IsGet(context.Request.Method))
            {
                var answer = await eventsAccess.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ => ValueTask.FromResult<object?>(DashboardPage.Serve(context)));
                if (answer is IResult result)
                {
                    await result.ExecuteAsync(context);
                }
            }
            else
            {
                await ServicePage.ServeAsync(context, archives.Value.Enabled, events.Value.Access != EventsAccessMode.Off);
            }
        });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var handler = app.Services.GetRequiredService<ListingHandler>();
            var logger = app.Services.GetRequiredService<ILogger<ListingHandler>>();
            var state = handler.IsEnabled ? "on" : "off";
            Log.ListingConfigured(logger, state, handler.PageSize, handler.StorageLists, handler.ArchiveLinks);
        });
        return app;
    }
}
