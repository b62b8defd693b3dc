using System.Diagnostics.Metrics;

namespace Events.Silo;

/// <summary>The engine's own meters ("Events.Live"): batch sizes and commit latency per kind of write, updates sent.</summary>
public sealed class LiveMeters : IDisposable
{
    public const string MeterName = "Events.Live";

    private readonly Meter meter;
    private readonly Histogram<int> batchSize;
    private readonly Histogram<double> commitMs;
    private readonly Counter<long> updates;

    public LiveMeters(IMeterFactory factory)
    {
        meter = factory.Create(MeterName);
        batchSize = meter.CreateHistogram<int>("events.live.batch.size", "{row}", "Rows per committed batch");
        commitMs = meter.CreateHistogram<double>("events.live.batch.commit", "ms", "Time to commit one batch");
        updates = meter.CreateCounter<long>("events.live.updates", "{update}", "Coalesced session updates sent");
    }

    public void RecordVoteBatch(int rows, TimeSpan took) => Record("vote", rows, took);

    public void RecordChatBatch(int rows, TimeSpan took) => Record("chat", rows, took);

    public void RecordReactionBatch(int rows, TimeSpan took) => Record("reaction", rows, took);

    public void RecordUpdateSent() => updates.Add(1);

    private void Record(string kind, int rows, TimeSpan took)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        batchSize.Record(rows, tag);
        commitMs.Record(took.TotalMilliseconds, tag);
    }

    public void Dispose() => meter.Dispose();
}
