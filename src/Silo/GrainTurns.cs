namespace Events.Silo;

/// <summary>
/// Runs a piece of code as a turn of the grain that created this, from code that runs outside it
/// (a write batcher's commit loop on the thread pool). The grain's scheduler runs one piece at a
/// time, so state touched only in turns needs no locks. Create it in <c>OnActivateAsync</c>, where
/// <see cref="TaskScheduler.Current"/> is the activation's scheduler.
/// </summary>
public sealed class GrainTurns
{
    private readonly TaskScheduler scheduler;

    private GrainTurns(TaskScheduler scheduler) => this.scheduler = scheduler;

    public static GrainTurns OfCurrentGrain() => new(TaskScheduler.Current);

    public Task<T> RunAsync<T>(Func<Task<T>> action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap();
}
