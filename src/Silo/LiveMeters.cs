using System.Diagnostics.Metrics;

namespace Events.Silo;

/// <summary>
/// The engine's own meters ("Events.Live"): batch sizes and commit latency per kind of write,
/// updates sent and the interval between them, viewers connected to this node, and hub commands by
/// method and outcome. Read them with dotnet-counters, or export them with OpenTelemetry.
/// </summary>
public sealed class LiveMeters : IDisposable
{
    public const string MeterName = "Events.Live";

    private readonly Meter meter;
    private readonly Histogram<int> batchSize;
    private readonly Histogram<double> commitMs;
    private readonly Counter<long> updates;
    private readonly Counter<long> commands;

    public LiveMeters(IMeterFactory factory)
    {
        meter = factory.Create(MeterName);
        batchSize = meter.CreateHistogram<int>("events.live.batch.size", "{row}", "Rows per committed batch");
        commitMs = meter.CreateHistogram<double>("events.live.batch.commit", "ms", "Time to commit one batch");
        updates = meter.CreateCounter<long>("events.live.updates", "{update}", "Coalesced session updates sent");
        commands = meter.CreateCounter<long>("events.live.commands", "{command}", "Hub commands handled, by method and outcome (ok or the error code)");
    }

    /// <summary>Reports this node's connected viewers (all sessions) whenever the meter is read.</summary>
    public void ObserveViewers(Func<long> viewers) =>
        meter.CreateObservableGauge("events.live.viewers", viewers, "{viewer}", "Viewers connected to this node");

    /// <summary>Reports the least interval between two updates of one session, which grows while fan-out keeps the node busy.</summary>
    public void ObserveUpdateInterval(Func<double> milliseconds) =>
        meter.CreateObservableGauge("events.live.update.interval", milliseconds, "ms", "Least interval between two updates of one session on this node");

    public void RecordCommand(string method, string outcome) =>
        commands.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));

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
