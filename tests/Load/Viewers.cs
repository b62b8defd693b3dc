using System.Buffers.Text;

namespace Events.Load;

public enum ViewerPhase
{
    Idle,

    /// <summary>Vote to screen: each viewer notes when it first saw each total of votes.</summary>
    Screen,

    /// <summary>Chat storm: each chat item's send-to-screen latency is recorded.</summary>
    Chat,
}

/// <summary>The viewers one process watches (a worker's share, or the generator's chat audience) and what they saw together.</summary>
public sealed class ViewerGroup
{
    private long seenMin = long.MaxValue;
    private long seenMax = long.MinValue;
    private long received;
    private long lastArrival;

    public volatile ViewerPhase Phase;

    /// <summary>The connections watched; each one's <see cref="HubClient.Tag"/> is its <see cref="ViewerState"/>.</summary>
    public List<HubClient> Clients { get; } = [];

    private IEnumerable<ViewerState> Viewers => Clients.Select(c => (ViewerState)c.Tag!);

    /// <summary>Chat items seen in the current chat phase.</summary>
    public Stats ChatLatency { get; set; } = new();

    /// <summary>Updates received by all viewers since the last <see cref="Reset"/>.</summary>
    public long Received => Interlocked.Read(ref received);

    /// <summary>When the last update arrived (a <see cref="Clock"/> timestamp).</summary>
    public long LastArrival => Interlocked.Read(ref lastArrival);

    public void OnUpdate(HubClient client, ReadOnlyMemory<byte> message)
    {
        if (client.Tag is ViewerState v)
        {
            v.Apply(message.Span, this);
            Interlocked.Increment(ref received);
            Interlocked.Exchange(ref lastArrival, Clock.Now);
        }
    }

    /// <summary>Every viewer counts from now on: what each should receive is what comes after its last seq.</summary>
    public void Reset()
    {
        foreach (var v in Viewers)
        {
            v.Reset();
        }
        Interlocked.Exchange(ref received, 0);
        Interlocked.Exchange(ref seenMin, long.MaxValue);
        Interlocked.Exchange(ref seenMax, long.MinValue);
    }

    internal void SawCurrent(long current)
    {
        long m;
        while (current < (m = Interlocked.Read(ref seenMin)) && Interlocked.CompareExchange(ref seenMin, current, m) != m)
        {
        }
        while (current > (m = Interlocked.Read(ref seenMax)) && Interlocked.CompareExchange(ref seenMax, current, m) != m)
        {
        }
    }

    public Tally Tally()
    {
        long bytes = 0, maxSeq = -1, minStart = long.MaxValue, currentMin = long.MaxValue, currentMax = long.MinValue, dropped = 0;
        foreach (var c in Clients)
        {
            var v = (ViewerState)c.Tag!;
            lock (v.Gate)
            {
                bytes += v.Bytes;
                maxSeq = Math.Max(maxSeq, v.LastSeq);
                minStart = Math.Min(minStart, v.StartSeq);
                currentMin = Math.Min(currentMin, v.LastCurrent);
                currentMax = Math.Max(currentMax, v.LastCurrent);
            }
            if (c.Closed)
            {
                dropped++;
            }
        }
        return new Tally(Clients.Count, dropped, Received, bytes, maxSeq, minStart, LastArrival, currentMin, currentMax, Interlocked.Read(ref seenMin), Interlocked.Read(ref seenMax));
    }

    /// <summary>
    /// Updates missing and extra, viewer by viewer: with <paramref name="untilSeq"/> every viewer
    /// should have received every seq after its start up to it (the platform); with
    /// <paramref name="frames"/> exactly that many frames (the baseline).
    /// </summary>
    public Deficit Deficit(long? untilSeq, long? frames)
    {
        long missing = 0, extra = 0;
        foreach (var v in Viewers)
        {
            lock (v.Gate)
            {
                var expected = frames ?? untilSeq!.Value - v.StartSeq;
                missing += Math.Max(0, expected - v.Received);
                extra += Math.Max(0, v.Received - expected);
            }
        }
        return new Deficit(missing, extra);
    }

    public void ArmScreen(int votes)
    {
        foreach (var v in Viewers)
        {
            lock (v.Gate)
            {
                v.FirstSeenTotal = new long[votes + 1];
                v.MaxTotal = 0;
            }
        }
        Phase = ViewerPhase.Screen;
    }

    /// <summary>For each total of votes, when the last viewer saw it (0 while any has not), and how many (viewer, total) pairs are unseen.</summary>
    public ScreenSeen ScreenSeen()
    {
        long[]? last = null;
        long unseen = 0;
        foreach (var v in Viewers)
        {
            lock (v.Gate)
            {
                var seen = v.FirstSeenTotal!;
                last ??= new long[seen.Length];
                for (var t = 1; t < seen.Length; t++)
                {
                    if (seen[t] == 0)
                    {
                        unseen++;
                    }
                    last[t] = Math.Max(last[t], seen[t]);
                }
            }
        }
        return new ScreenSeen(unseen, last ?? []);
    }
}

/// <summary>What one connection saw; changed by its receive loop and read or reset by the scenario, under <see cref="Gate"/>.</summary>
public sealed class ViewerState
{
    public readonly Lock Gate = new();
    public long LastSeq = -1;
    public long StartSeq;
    public long Received;
    public long Bytes;

    /// <summary>The viewer count (<c>counts.current</c>) of the latest update or snapshot that had one.</summary>
    public long LastCurrent = -1;
    public long MaxTotal;
    public long[]? FirstSeenTotal;
    public long ChatItems;

    public void Joined(long seq, long current)
    {
        lock (Gate)
        {
            LastSeq = Math.Max(LastSeq, seq);
            if (current >= 0)
            {
                LastCurrent = current;
            }
        }
    }

    public void Reset()
    {
        lock (Gate)
        {
            StartSeq = LastSeq;
            Received = 0;
            Bytes = 0;
            ChatItems = 0;
        }
    }

    internal void Apply(ReadOnlySpan<byte> span, ViewerGroup group)
    {
        lock (Gate)
        {
            LastSeq = Math.Max(LastSeq, HubClient.Number(span, "\"seq\":"u8));
            Received++;
            Bytes += span.Length + 1;
            var current = HubClient.Number(span, "\"counts\":{\"current\":"u8);
            if (current >= 0)
            {
                LastCurrent = current;
                group.SawCurrent(current);
            }
            switch (group.Phase)
            {
                case ViewerPhase.Screen:
                    var total = HubClient.Number(span, "\"totalVotes\":"u8);
                    if (total > MaxTotal && FirstSeenTotal is { } seen)
                    {
                        var now = Clock.Now;
                        for (var t = MaxTotal + 1; t <= total && t < seen.Length; t++)
                        {
                            seen[t] = now;
                        }
                        MaxTotal = total;
                    }
                    break;
                case ViewerPhase.Chat:
                    var received = Clock.Now;
                    var rest = span;
                    while (true)
                    {
                        var at = rest.IndexOf("\"text\":\"t"u8);
                        if (at < 0)
                        {
                            break;
                        }
                        rest = rest[(at + 9)..];
                        if (Utf8Parser.TryParse(rest, out long sentAt, out _))
                        {
                            group.ChatLatency.Add(Clock.Ms(sentAt, received));
                            ChatItems++;
                        }
                    }
                    break;
            }
        }
    }
}

/// <summary>A group's totals: viewers, dropped connections, updates and bytes received since the reset, the highest seq seen, the lowest start seq, the last arrival, the range of the viewers' latest <c>counts.current</c> and of every one seen since the reset.</summary>
public sealed record Tally(long Viewers, long Closed, long Received, long Bytes, long MaxSeq, long MinStart, long LastArrival, long CurrentMin, long CurrentMax, long SeenMin, long SeenMax)
{
    public static Tally Sum(IEnumerable<Tally> parts) => parts.Aggregate((a, b) => new Tally(
        a.Viewers + b.Viewers, a.Closed + b.Closed, a.Received + b.Received, a.Bytes + b.Bytes, Math.Max(a.MaxSeq, b.MaxSeq), Math.Min(a.MinStart, b.MinStart),
        Math.Max(a.LastArrival, b.LastArrival), Math.Min(a.CurrentMin, b.CurrentMin), Math.Max(a.CurrentMax, b.CurrentMax), Math.Min(a.SeenMin, b.SeenMin), Math.Max(a.SeenMax, b.SeenMax)));
}

public sealed record Deficit(long Missing, long Extra);

public sealed record ScreenSeen(long Unseen, long[] Last);

public sealed record Connected(int Ok, int Failed, string? Error, long Started, long Ended);
