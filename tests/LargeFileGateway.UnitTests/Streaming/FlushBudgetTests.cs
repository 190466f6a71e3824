using LargeFileGateway.Streaming;

namespace LargeFileGateway.UnitTests.Streaming;

public sealed class FlushBudgetTests
{
    [Fact]
    public void TryTake_TakesOnlyWhatIsLeft_AndReturnGivesItBack()
    {
        var budget = new FlushBudget(3 * 1024 * 1024);

        Assert.True(budget.TryTake(2 * 1024 * 1024));
        Assert.False(budget.TryTake(2 * 1024 * 1024));
        Assert.True(budget.TryTake(1024 * 1024));
        Assert.Equal(0, budget.Available);
        budget.Return(2 * 1024 * 1024);
        Assert.True(budget.TryTake(2 * 1024 * 1024));
        budget.Return(2 * 1024 * 1024);
        budget.Return(1024 * 1024);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task TryTake_ManyThreadsAtOnce_NeverHandOutMoreThanTheBudget()
    {
        const int Share = 1024 * 1024;
        var budget = new FlushBudget(8L * Share);
        var holding = 0;
        var most = 0;
        using var start = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 20_000; i++)
            {
                if (!budget.TryTake(3 * Share))
                {
                    continue;
                }

                var now = Interlocked.Add(ref holding, 3);
                InterlockedMax(ref most, now);
                Interlocked.Add(ref holding, -3);
                budget.Return(3 * Share);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(workers);

        Assert.InRange(most, 3, 6);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public void Constructor_NegativeBudget_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new FlushBudget(-1));

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
