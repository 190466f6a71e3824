using LargeFileGateway.Configuration;
using LargeFileGateway.Digests;
using LargeFileGateway.Downloads;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Archives;

/// <summary>Registers <c>Gateway:Archives</c> (validated at start, also when off) and maps the endpoint when it is on.</summary>
internal static class ArchiveServices
{
    public static IServiceCollection AddArchives(this IServiceCollection services)
    {
        services.AddOptions<ArchivesOptions>().BindConfiguration(ArchivesOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ArchivesOptions>>(AnnotatedOptionsValidator.Instance);

        // The content-facts store exists only when digests are on; without it the CRCs stay in memory.
        services.AddSingleton(provider => new MemberCrcs(provider.GetService<ContentFactsStore>()));
        services.AddSingleton<ArchiveMembers>();
        services.AddSingleton<SharedWalks>();
        services.AddSingleton<ArchiveSource>();
        return services;
    }

    /// <summary><c>GET|HEAD /archives/{folder}.zip</c>, through the download handler; off, the path is unknown (404).</summary>
    public static void MapArchives(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ArchivesOptions>>().Value.Enabled)
        {
            return;
        }

        app.Map("/archives/{**path}", (HttpContext context, string? path, DownloadHandler handler, ArchiveSource archives) => handler.HandleAsync(context, path, archives));
    }
}
