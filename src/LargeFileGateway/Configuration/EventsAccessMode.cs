namespace LargeFileGateway.Configuration;

/// <summary>Who may read <c>/events</c> and the dashboard.</summary>
internal enum EventsAccessMode
{
    /// <summary>Not served at all (404): file keys and client addresses are not for everyone.</summary>
    Off,

    /// <summary>Anyone who can reach the gateway.</summary>
    Open,

    /// <summary>Only requests carrying the configured token (401 otherwise).</summary>
    BearerToken,
}
