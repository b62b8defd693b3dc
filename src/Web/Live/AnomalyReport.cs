using System.Net;
using Events.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Live;

/// <summary>
/// A round's anomaly report, from the signals of its counted votes (<see cref="VoteSignals"/>):
/// the address ranges (IPv4 /24, IPv6 /48) and devices that cast the most ballots, ballots from
/// accounts created less than an hour before they voted, and the busiest minutes. Each group names
/// its ballots, so an organizer can void them (with a reason) after looking.
/// </summary>
public static class AnomalyReport
{
    public const string Range = "range";
    public const string Device = "device";
    public const string NewAccounts = "new";
    public const string Minute = "minute";

    /// <summary>A group of ballots sharing one signal: its kind, the shared value, how many.</summary>
    public sealed record Group(string Kind, string Key, long Ballots);

    public sealed record Report(string RoundId, long Signals, Group NewAccountBallots, IReadOnlyList<Group> Ranges, IReadOnlyList<Group> Devices, IReadOnlyList<Group> Minutes);

    private static readonly long Hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    /// <summary>The range an address belongs to: its /24 for IPv4 ("203.0.113.0/24"), its /48 for IPv6.</summary>
    public static string RangeOf(string? address)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip))
        {
            return "unknown";
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        var bytes = ip.GetAddressBytes();
        if (bytes.Length == 4)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        }
        Array.Clear(bytes, 6, 10);
        return new IPAddress(bytes) + "/48";
    }

    private static string MinuteOf(long castAt) => DateTimeOffset.FromUnixTimeMilliseconds(castAt - castAt % 60_000).ToString("yyyy-MM-ddTHH:mmZ", System.Globalization.CultureInfo.InvariantCulture);

    private static string? KeyOf(string kind, VoteSignal s) => kind switch
    {
        Range => RangeOf(s.Address),
        Device => s.Device,
        NewAccounts => s.AccountCreatedAt > 0 && s.CastAt - s.AccountCreatedAt < Hour ? "new" : null,
        Minute => MinuteOf(s.CastAt),
        _ => null,
    };

    public static async Task<Report> BuildAsync(AccountsDbContext db, string roundId, int top = 10)
    {
        var counts = new Dictionary<(string, string), long>();
        long signals = 0;
        await foreach (var s in db.VoteSignals.AsNoTracking().Where(s => s.RoundId == roundId).AsAsyncEnumerable())
        {
            signals++;
            foreach (var kind in new[] { Range, Device, NewAccounts, Minute })
            {
                if (KeyOf(kind, s) is { } key)
                {
                    counts[(kind, key)] = counts.GetValueOrDefault((kind, key)) + 1;
                }
            }
        }
        IReadOnlyList<Group> Top(string kind) => counts.Where(kv => kv.Key.Item1 == kind).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
            .Take(top).Select(kv => new Group(kind, kv.Key.Item2, kv.Value)).ToArray();
        return new Report(roundId, signals, new Group(NewAccounts, "new", counts.GetValueOrDefault((NewAccounts, "new"))), Top(Range), Top(Device), Top(Minute));
    }

    /// <summary>The voters whose signal falls in the group: what voiding the group voids.</summary>
    public static async Task<IReadOnlyList<string>> VotersAsync(AccountsDbContext db, string roundId, string kind, string key)
    {
        var voters = new List<string>();
        await foreach (var s in db.VoteSignals.AsNoTracking().Where(s => s.RoundId == roundId).AsAsyncEnumerable())
        {
            if (KeyOf(kind, s) == key)
            {
                voters.Add(s.VoterId);
            }
        }
        return voters;
    }
}
