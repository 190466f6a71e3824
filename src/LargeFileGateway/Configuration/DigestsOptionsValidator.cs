using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Checks <see cref="DigestsOptions"/> at start and reports every error at once, each starting with its key.</summary>
internal sealed class DigestsOptionsValidator : IValidateOptions<DigestsOptions>
{
    private const string Section = DigestsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DigestsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (options.MaxEntries is < 1 or > 100_000_000)
        {
            result.AddError($"{Section}:MaxEntries must be between 1 and 100000000.");
        }

        if (options.Concurrency is < 1 or > 64)
        {
            result.AddError($"{Section}:Concurrency must be between 1 and 64.");
        }

        if (options.ReadRate < 0)
        {
            result.AddError($"{Section}:ReadRate must be 0 (no limit) or a positive number of bytes per second.");
        }

        if (options.QueueCapacity is < 1 or > 10_000_000)
        {
            result.AddError($"{Section}:QueueCapacity must be between 1 and 10000000.");
        }

        if (options.RetryAfter < TimeSpan.FromSeconds(1) || options.RetryAfter > TimeSpan.FromHours(1))
        {
            result.AddError($"{Section}:RetryAfter must be between 00:00:01 and 01:00:00.");
        }

        if (options.MaxSidecarBytes is < 80 or > 16 * 1024 * 1024)
        {
            result.AddError($"{Section}:MaxSidecarBytes must be between 80 and 16777216.");
        }

        foreach (var algorithm in options.Algorithms)
        {
            if (!DigestsOptions.KnownAlgorithms.Contains(algorithm, StringComparer.Ordinal))
            {
                result.AddError($"{Section}:Algorithms may only name {string.Join(" and ", DigestsOptions.KnownAlgorithms)}, not '{algorithm}'.");
            }
        }

        if (options.Store.Length > 0 && (options.Store.AsSpan().IndexOfAny('\0', '\n') >= 0 || !Path.IsPathFullyQualified(Path.GetFullPath(options.Store))))
        {
            result.AddError($"{Section}:Store must be a folder path.");
        }

        return result.Build();
    }
}
