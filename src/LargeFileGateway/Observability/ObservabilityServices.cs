using System.Net;
using LargeFileGateway.AccessLog;
using LargeFileGateway.Configuration;
using LargeFileGateway.Health;
using LargeFileGateway.Streaming;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LargeFileGateway.Observability;

/// <summary>
/// Composition of what operators watch: probes (<c>/healthz</c>, <c>/readyz</c>), metrics (Prometheus <c>/metrics</c>
/// and OTLP), traces (OTLP) and the access log. Program.cs calls <see cref="AddObservability"/> and
/// <see cref="UseObservability"/> once each.
/// </summary>
/// <remarks>
/// OpenTelemetry is only set up when something exports: with <c>/metrics</c> off and no OTLP endpoint, no
/// MeterProvider or TracerProvider exists, so no instrument is listened to and no activity is created (a request
/// then pays one <c>Enabled</c> check per instrument and a null <see cref="System.Diagnostics.Activity"/>).
/// </remarks>
internal static class ObservabilityServices
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The framework's meters exported next to the gateway's: HTTP server, Kestrel connections, Kestrel's block pool
    /// (bytes allocated, evicted and free: what thousands of slow downloads hold in response buffers), runtime (GC,
    /// heap, thread pool), HttpClient, Polly.
    /// </summary>
    public static readonly string[] FrameworkMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.MemoryPool", "System.Runtime", "System.Net.Http", "Polly"];

    // The standard variables (read through configuration, which includes the environment); any one turns OTLP on.
    private static readonly string[] s_otlpEndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddGatewayHealth();
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, OperationsOptionsValidator>();
        services.AddOptions<AccessLogOptions>().BindConfiguration(AccessLogOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessLogOptions>, OperationsOptionsValidator>();
        services.AddSingleton<AccessLogWriter>();
        services.AddHostedService(static provider => provider.GetRequiredService<AccessLogWriter>());

        // The health check service logs every unhealthy probe at Error: a line per poll during an outage. The
        // storage check logs each change of state once instead (EventIds 700, 701).
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);

        var otlp = IsOtlpConfigured(builder.Configuration);
        var prometheus = builder.Configuration.GetValue<bool>(MetricsOptions.SectionName + ":" + nameof(MetricsOptions.Prometheus));
        if (!otlp && !prometheus)
        {
            return builder;
        }

        var telemetry = services.AddOpenTelemetry();
        telemetry.WithMetrics(metrics =>
        {
            ConfigureMetrics(metrics);
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => ConfigureTracing(tracing).AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>Maps the probes and <c>/metrics</c>, and puts the access log around everything (a 500 included).</summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        // The flush budget's gauges come with the budget, which is otherwise made at the first download: made once the
        // host has started, a scrape before any download shows them (and the limit) already. Not made here: that would
        // validate the download options now, one section alone, before the start names every bad key at once.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<FlushBudget>());

        var accessLog = app.Services.GetRequiredService<AccessLogWriter>();
        if (accessLog.IsEnabled)
        {
            app.Use(next => new AccessLogMiddleware(next, accessLog).InvokeAsync);
        }

        app.MapGatewayHealth();
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (metrics.Prometheus)
        {
            var allowed = metrics.EffectiveAllowedNetworks.Select(static network => IPNetwork.Parse(network)).ToArray();
            app.MapPrometheusScrapingEndpoint(MetricsPath).Add(endpoint =>
            {
                // Outside the allowed networks /metrics does not exist (404, as when it is off), rather than a 403
                // that tells a scanner there is something to get at. The address is the client's after
                // forwarded headers from trusted proxies: behind nginx on this host, a remote client is not loopback.
                var scrape = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = context =>
                {
                    if (IsAllowed(context.Connection.RemoteIpAddress, allowed))
                    {
                        return scrape(context);
                    }

                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                };
            });
        }

        var prometheus = metrics.Prometheus ? "on for " + string.Join(", ", metrics.EffectiveAllowedNetworks) : "off";
        var otlp = IsOtlpConfigured(app.Configuration) ? "on" : "off";
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityServices).FullName!);
        Log.ObservabilityConfigured(logger, prometheus, otlp, accessLog.IsEnabled ? "on" : "off");
        return app;
    }

    /// <summary>The meters exported, shared by Prometheus and OTLP.</summary>
    public static MeterProviderBuilder ConfigureMetrics(MeterProviderBuilder metrics)
        => metrics.AddMeter(GatewayMetrics.MeterName).AddMeter(FrameworkMeters);

    /// <summary>The sources traced: storage spans, the request span (probes and scrapes left out) and HttpClient calls.</summary>
    public static TracerProviderBuilder ConfigureTracing(TracerProviderBuilder tracing) => tracing
        .AddSource(StorageActivities.SourceName)
        .AddAspNetCoreInstrumentation(options => options.Filter = static context => !IsOperationsPath(context.Request.Path))
        .AddHttpClientInstrumentation();

    private static bool IsOperationsPath(PathString path)
        => path.StartsWithSegments(HealthEndpoints.LivenessPath) || path.StartsWithSegments(HealthEndpoints.ReadinessPath) || path.StartsWithSegments(MetricsPath);

    private static bool IsOtlpConfigured(IConfiguration configuration)
        => s_otlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    private static bool IsAllowed(IPAddress? client, IPNetwork[] allowed)
    {
        if (client is null)
        {
            return false;
        }

        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var network in allowed)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
