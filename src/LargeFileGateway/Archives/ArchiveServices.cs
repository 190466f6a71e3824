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
        var options = app.Services.GetRequiredService<IOptions<ArchivesOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        CheckTableFolder(options.TableFolderOrDefault);

        app.Map("/archives/{**path}", (HttpContext context, string? path, DownloadHandler handler, ArchiveSource archives) => handler.HandleAsync(context, path, archives));
    }

    /// <summary>
    /// Large archives spill their member table here: better a clear refusal to start than a 503 on every large
    /// archive of a container whose temporary folder is read-only.
    /// </summary>
    private static void CheckTableFolder(string folder)
    {
        try
        {
            using var probe = new SpillingStore(0, folder);
            probe.Append([0]);
            probe.Seal();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{ArchivesOptions.SectionName}:TableFolder: '{folder}' must be a writable folder for the member tables of large archives ({ex.Message}).", ex);
        }
    }
}
