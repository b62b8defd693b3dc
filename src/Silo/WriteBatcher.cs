using System.Threading.Channels;

namespace Events.Silo;

/// <summary>
/// Group commit for a grain's writes. Items queue in a bounded channel; one loop takes
/// everything waiting (up to <c>maxBatch</c>), lingers up to <c>linger</c> for more while the
/// batch is small, commits it in one store call and completes each item's task with its
/// result only after that commit. A failed commit fails every item of the batch, so nothing
/// is acknowledged that was not written. At most one commit is in flight per batcher, which
/// keeps a grain's writes in order.
/// </summary>
public sealed class WriteBatcher<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> queue;
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> commit;
    private readonly int maxBatch;
    private readonly TimeSpan linger;
    private readonly Action<int, TimeSpan>? observe;
    private readonly Task loop;

    public WriteBatcher(
        Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> commit,
        int maxBatch,
        TimeSpan linger,
        int capacity,
        Action<int, TimeSpan>? observe = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, maxBatch);
        this.commit = commit;
        this.maxBatch = maxBatch;
        this.linger = linger;
        this.observe = observe;
        queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        loop = Task.Run(RunAsync);
    }

    /// <summary>Number of items waiting for a commit.</summary>
    public int Backlog => queue.Reader.Count;

    /// <summary>
    /// Queues an item. Returns false at once when the queue is full, so a grain turn never
    /// blocks on a slow store; the caller answers "try again".
    /// </summary>
    public bool TryEnqueue(TItem item, out Task<TResult> committed)
    {
        var pending = new Pending(item);
        if (queue.Writer.TryWrite(pending))
        {
            committed = pending.Completion.Task;
            return true;
        }
        committed = Task.FromException<TResult>(new InvalidOperationException("The write queue is full."));
        return false;
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        var batch = new List<Pending>(maxBatch);
        var items = new List<TItem>(maxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            items.Clear();
            var deadline = DateTime.UtcNow + linger;
            while (batch.Count < maxBatch)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }
                var more = reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(more, Task.Delay(remaining)).ConfigureAwait(false) != more || !more.Result)
                {
                    break;
                }
            }
            foreach (var p in batch)
            {
                items.Add(p.Item);
            }
            var started = DateTime.UtcNow;
            try
            {
                var results = await commit(items, CancellationToken.None).ConfigureAwait(false);
                if (results.Count != batch.Count)
                {
                    throw new InvalidOperationException($"A commit returned {results.Count} results for {batch.Count} items.");
                }
                observe?.Invoke(batch.Count, DateTime.UtcNow - started);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var p in batch)
                {
                    p.Completion.TrySetException(e);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
