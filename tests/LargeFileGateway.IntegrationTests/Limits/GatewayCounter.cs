using System.Diagnostics.Metrics;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// Sums one counter of one gateway instance by the value of one tag (other gateways in the process have meters of
/// their own, so tests that run side by side do not see each other's counts).
/// </summary>
internal sealed class GatewayCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];

    public GatewayCounter(GatewayServer gateway, string instrumentName, string tagName)
    {
        var factory = gateway.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var key = string.Empty;
            foreach (var tag in tags)
            {
                if (tag.Key == tagName)
                {
                    key = tag.Value?.ToString() ?? string.Empty;
                }
            }

            lock (_totals)
            {
                _totals[key] = _totals.GetValueOrDefault(key) + value;
            }
        });
        _listener.Start();
    }

    /// <summary>The sum of the measurements whose tag had <paramref name="tagValue"/>.</summary>
    public long this[string tagValue]
    {
        get
        {
            lock (_totals)
            {
                return _totals.GetValueOrDefault(tagValue);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
