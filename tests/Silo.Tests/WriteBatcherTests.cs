namespace Events.Silo.Tests;

public sealed class WriteBatcherTests
{
    [Fact]
    public async Task Items_complete_only_after_their_batch_commits_and_batches_respect_the_size_limit()
    {
        var batches = new List<int>();
        var gate = new TaskCompletionSource();
        await using var batcher = new WriteBatcher<int, int>(async (items, _) =>
        {
            await gate.Task;
            lock (batches)
            {
                batches.Add(items.Count);
            }
            return items.Select(i => i * 10).ToArray();
        }, maxBatch: 100, linger: TimeSpan.FromMilliseconds(20), capacity: 10_000);

        var tasks = new List<Task<int>>();
        for (var i = 0; i < 450; i++)
        {
            Assert.True(batcher.TryEnqueue(i, out var task));
            tasks.Add(task);
        }
        await Task.Delay(50);
        Assert.All(tasks, t => Assert.False(t.IsCompleted));
        gate.SetResult();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(0, 450).Select(i => i * 10), results);
        Assert.All(batches, size => Assert.InRange(size, 1, 100));
        Assert.Equal(450, batches.Sum());
    }

    [Fact]
    public async Task A_failed_commit_fails_every_item_of_its_batch_and_the_next_batch_still_runs()
    {
        var fail = true;
        await using var batcher = new WriteBatcher<int, int>((items, _) =>
            fail ? throw new IOException("down") : Task.FromResult<IReadOnlyList<int>>(items.ToArray()),
            maxBatch: 10, linger: TimeSpan.FromMilliseconds(5), capacity: 100);
        batcher.TryEnqueue(1, out var first);
        await Assert.ThrowsAsync<IOException>(() => first);
        fail = false;
        batcher.TryEnqueue(2, out var second);
        Assert.Equal(2, await second);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_instead_of_blocking()
    {
        var gate = new TaskCompletionSource();
        await using var batcher = new WriteBatcher<int, int>(async (items, _) =>
        {
            await gate.Task;
            return items.ToArray();
        }, maxBatch: 2, linger: TimeSpan.Zero, capacity: 4);
        var accepted = 0;
        for (var i = 0; i < 20; i++)
        {
            if (batcher.TryEnqueue(i, out _))
            {
                accepted++;
            }
        }
        Assert.InRange(accepted, 4, 6);
        gate.SetResult();
    }
}
