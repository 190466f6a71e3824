namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A test class with its own storage root and its own gateway on real Kestrel: files are arranged first, then the
/// gateway starts on them; both are gone after the class.
/// </summary>
public abstract class GatewayTest : IAsyncLifetime
{
    protected GatewayTest(string name)
    {
        Root = new TempFolder(name);
    }

    protected TempFolder Root { get; }

    protected GatewayServer Server { get; private set; } = null!;

    /// <summary>Configuration for this class's gateway, as command-line arguments.</summary>
    protected virtual string[] GatewayArguments => [];

    public async Task InitializeAsync()
    {
        await ArrangeAsync();
        Server = await GatewayServer.StartAsync(Root.Path, GatewayArguments);
        await StartedAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Root.Dispose();
    }

    /// <summary>Creates the files the tests serve, before the gateway starts.</summary>
    protected virtual Task ArrangeAsync() => Task.CompletedTask;

    /// <summary>Runs once the gateway listens, for what the tests need to learn from it first.</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;
}
