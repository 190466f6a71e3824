using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses an events configuration the gateway cannot honour, naming every bad key at once.</summary>
internal sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    public const int MinTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var section = EventsOptions.SectionName;
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Access))
        {
            errors.Add($"{section}:Access must be Off, Open or BearerToken (was {options.Access}).");
        }

        if (options.Access == EventsAccessMode.BearerToken && (options.Token is null || options.Token.Length < MinTokenLength))
        {
            errors.Add($"{section}:Token must be at least {MinTokenLength} characters when {section}:Access is BearerToken.");
        }

        if (options.Token is not null && options.Token.AsSpan().ContainsAnyExceptInRange('\u0021', '\u007e'))
        {
            errors.Add($"{section}:Token must be printable ASCII without spaces.");
        }

        AddIfOutside(errors, $"{section}:ProgressInterval", options.ProgressInterval, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
        AddIfOutside(errors, $"{section}:HeartbeatInterval", options.HeartbeatInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        AddIfOutside(errors, $"{section}:ReconnectDelay", options.ReconnectDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        if (options.RingCapacity is < 1 or > 1_000_000)
        {
            errors.Add($"{section}:RingCapacity must be between 1 and 1000000 (was {options.RingCapacity}).");
        }

        if (options.WatcherQueueCapacity is < 1 or > 100_000)
        {
            errors.Add($"{section}:WatcherQueueCapacity must be between 1 and 100000 (was {options.WatcherQueueCapacity}).");
        }

        if (options.RecentCapacity is < 0 or > 10_000)
        {
            errors.Add($"{section}:RecentCapacity must be between 0 and 10000 (was {options.RecentCapacity}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void AddIfOutside(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (was {value}).");
        }
    }
}
