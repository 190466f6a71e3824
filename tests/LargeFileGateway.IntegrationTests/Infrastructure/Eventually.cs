namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition that another thread makes true (the server releasing a connection), with a limit.</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan limit)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        using var timeout = new CancellationTokenSource(limit);
        while (!condition())
        {
            try
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return condition();
            }
        }

        return true;
    }
}
