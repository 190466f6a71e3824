namespace LargeFileGateway.Configuration;

/// <summary>
/// How the gateway stops on SIGTERM (a graceful drain). Bound from <c>Gateway:Shutdown</c>. The host's own
/// shutdown timeout is derived from these two (<see cref="HostShutdownTimeout"/>), and a service manager's stop
/// timeout (systemd's TimeoutStopSec, a container's stop grace period) must be longer than that.
/// </summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Gateway:Shutdown";

    /// <summary>
    /// Time left after the drain, for the connections that were cut to close and the host to stop its other
    /// services, so that the host's own timeout never cuts first.
    /// </summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long new connections are still accepted once draining began and readiness turned unhealthy, so that
    /// load balancers polling <c>/readyz</c> and nginx (on its next failed attempt) move new requests away
    /// before connections are refused. 5 s: a few polling intervals of a typical probe.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:01:00", ErrorMessage = SectionName + ":AcceptDelay must be between {1} and {2}.")]
    public TimeSpan AcceptDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long running requests (downloads, event streams) may go on after new connections are refused; what
    /// is still running then is aborted (its connection reset), and clients resume elsewhere with a Range. 30 s:
    /// what container runtimes grant by default, minus the accept delay.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = SectionName + ":DrainTimeout must be between {1} and {2}.")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The host's shutdown timeout: the accept delay, the drain and a margin for the rest.</summary>
    public TimeSpan HostShutdownTimeout => AcceptDelay + DrainTimeout + StopMargin;
}
