using LargeFileGateway.Configuration;
using LargeFileGateway.Dashboard;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Progress;

/// <summary>
/// Registers transfer tracking and maps <c>/events</c> and the dashboard, for Program.cs. <c>/</c> shows the dashboard
/// only when the listing is off (Listing/ListingServices.MapHomePage decides).
/// </summary>
internal static class TransferProgressExtensions
{
    public static IServiceCollection AddTransferProgress(this IServiceCollection services)
    {
        // The environment's default comes first so that a configured Access always wins.
        services.AddOptions<EventsOptions>()
            .Configure<IHostEnvironment>((options, environment) => options.Access = environment.IsDevelopment() ? EventsAccessMode.Open : EventsAccessMode.Off)
            .BindConfiguration(EventsOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddSingleton<TransferRegistry>();
        services.AddSingleton<EventsAccessFilter>();
        return services;
    }

    public static WebApplication MapTransferProgress(this WebApplication app)
    {
        var group = app.MapGroup(string.Empty).AddEndpointFilter<EventsAccessFilter>();
        group.MapGet("/events", TransferEventsEndpoint.StreamAsync);
        group.MapGet("/dashboard", DashboardPage.Serve);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILogger<TransferRegistry>>();
            var access = app.Services.GetRequiredService<IOptions<EventsOptions>>().Value.Access;
            Log.TransferEventsConfigured(logger, access);
        });
        return app;
    }
}
