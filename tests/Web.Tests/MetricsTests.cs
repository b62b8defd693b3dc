using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>What an operator reads from the "Events.Live" meter while people chat and vote.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task The_engine_meter_reports_commands_batches_updates_and_viewers()
    {
        await using var host = await LiveHost.StartAsync();
        var scope = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentBag<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Silo.LiveMeters.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements.Add((i.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var client = await LiveClient.JoinAsync(host, "contest-final", organizer.Token);
        await client.InvokeAsync<ChatAck>("SendChat", "contest-final", "hello", "m1");
        await client.InvokeAsync<ChatAck>("SendChat", "contest-final", "", "m2");
        var round = await client.InvokeAsync<RoundView>("OpenRound", "contest-final", new OpenRoundRequest("Q?", ["A", "B"], true, false, "r1"));
        await client.InvokeAsync<VoteAck>("CastVote", round.Value!.RoundId, "a", "v1");
        await Eventually.TrueAsync(() => client.Round(round.Value.RoundId)?.TotalVotes == 1, "the vote's update");
        listener.RecordObservableInstruments();

        bool Has(string name, Func<(string Name, double Value, Dictionary<string, object?> Tags), bool> match) =>
            measurements.Any(m => m.Name == name && match(m));
        Assert.True(Has("events.live.commands", m => Equals(m.Tags["method"], "SendChat") && Equals(m.Tags["outcome"], "ok")));
        Assert.True(Has("events.live.commands", m => Equals(m.Tags["method"], "SendChat") && Equals(m.Tags["outcome"], "empty_message")));
        Assert.True(Has("events.live.commands", m => Equals(m.Tags["method"], "CastVote") && Equals(m.Tags["outcome"], "ok")));
        Assert.True(Has("events.live.batch.size", m => Equals(m.Tags["kind"], "vote") && m.Value == 1));
        Assert.True(Has("events.live.batch.commit", m => Equals(m.Tags["kind"], "chat") && m.Value >= 0));
        Assert.True(Has("events.live.updates", m => m.Value == 1));
        Assert.True(Has("events.live.viewers", m => m.Value == 1));
        // An idle test host sends at the configured tick (100 ms here).
        Assert.True(Has("events.live.update.interval", m => m.Value == 100));
    }
}
