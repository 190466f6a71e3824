using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses resilience settings Polly would reject or that make no sense, naming every bad key at once.</summary>
internal sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        const string Section = ResilienceOptions.SectionName;
        var errors = new List<string>();
        Check(options.MaxRetryAttempts is >= 0 and <= 20, $"{Section}:MaxRetryAttempts must be between 0 and 20 (was {options.MaxRetryAttempts}).");
        Check(options.RetryBaseDelay >= TimeSpan.Zero && options.RetryBaseDelay <= TimeSpan.FromMinutes(1), $"{Section}:RetryBaseDelay must be between 0 and 00:01:00 (was {options.RetryBaseDelay}).");
        Check(options.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && options.AttemptTimeout <= TimeSpan.FromDays(1), $"{Section}:AttemptTimeout must be between 00:00:00.010 and 1.00:00:00 (was {options.AttemptTimeout}).");
        Check(options.BreakerFailureRatio is > 0 and <= 1, $"{Section}:BreakerFailureRatio must be above 0 and at most 1 (was {options.BreakerFailureRatio}).");
        Check(options.BreakerMinimumThroughput >= 2, $"{Section}:BreakerMinimumThroughput must be at least 2 (was {options.BreakerMinimumThroughput}).");
        Check(options.BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500), $"{Section}:BreakerSamplingDuration must be at least 00:00:00.500 (was {options.BreakerSamplingDuration}).");
        Check(options.BreakDuration >= TimeSpan.FromMilliseconds(500), $"{Section}:BreakDuration must be at least 00:00:00.500 (was {options.BreakDuration}).");
        Check(options.MaxResumesPerRange is >= 0 and <= 10_000, $"{Section}:MaxResumesPerRange must be between 0 and 10000 (was {options.MaxResumesPerRange}).");
        Check(options.MetadataCacheTtl >= TimeSpan.Zero && options.MetadataCacheTtl <= TimeSpan.FromHours(1), $"{Section}:MetadataCacheTtl must be between 0 and 01:00:00 (was {options.MetadataCacheTtl}).");
        Check(options.MetadataCacheMaxEntries >= 1, $"{Section}:MetadataCacheMaxEntries must be at least 1 (was {options.MetadataCacheMaxEntries}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Check(bool valid, string error)
        {
            if (!valid)
            {
                errors.Add(error);
            }
        }
    }
}
