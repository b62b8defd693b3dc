using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Events.Web.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Events.Web.Live;

/// <summary>What was seen of one counted vote, for the contest's anomaly report: from which address and device, by how old an account.</summary>
public sealed class VoteSignal
{
    public string RoundId { get; set; } = "";

    public string VoterId { get; set; } = "";

    public string? Address { get; set; }

    /// <summary>A short hash of the browser's viewer cookie (else its User-Agent): the same device, not who it is.</summary>
    public string? Device { get; set; }

    /// <summary>Unix ms of the account's registration; 0 when unknown.</summary>
    public long AccountCreatedAt { get; set; }

    public long CastAt { get; set; }
}

/// <summary>
/// Records a signal for every vote the hub counted, in the accounts database (not the live store,
/// whose writer the vote storm keeps busy), a batch every quarter second. Signals are evidence for
/// a report, not the count: a vote is acknowledged by the store whether or not its signal is
/// written, and when more wait than <see cref="Capacity"/> the newest are dropped and counted.
/// </summary>
public sealed class VoteSignals(IServiceScopeFactory scopes, TimeProvider clock, ILogger<VoteSignals> logger) : BackgroundService
{
    public const int Capacity = 200_000;

    private readonly Channel<VoteSignal> pending = Channel.CreateBounded<VoteSignal>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long dropped;

    /// <summary>The header that carries a hub request's address to the hub (set here from the connection, never taken from the client).</summary>
    public const string AddressHeader = "X-Events-Remote-Address";

    /// <summary>
    /// On hub requests, copies the connection's address into a request header, replacing any the
    /// client sent: under load the hub's HttpContext was seen without its connection's address
    /// while its headers and cookies were there (a vote signal then had no address).
    /// </summary>
    public static Task KeepHubAddress(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.StartsWithSegments("/hubs"))
        {
            context.Request.Headers[AddressHeader] = context.Connection.RemoteIpAddress?.ToString() ?? Microsoft.Extensions.Primitives.StringValues.Empty;
        }
        return next();
    }

    /// <summary>Where a connection comes from, read once when it connects: its address and a short hash of its viewer cookie (else its User-Agent).</summary>
    public sealed record Origin(string? Address, string? Device);

    public static Origin OriginOf(HttpContext? http)
    {
        var device = http?.Request.Cookies[LiveHub.ViewerCookie] ?? http?.Request.Headers.UserAgent.ToString();
        var address = http?.Connection.RemoteIpAddress?.ToString() ?? http?.Request.Headers[AddressHeader].FirstOrDefault();
        return new Origin(string.IsNullOrEmpty(address) ? null : address,
            string.IsNullOrEmpty(device) ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(device)))[..16]);
    }

    public void Record(string roundId, Silo.Caller voter, Origin? origin, System.Security.Claims.ClaimsPrincipal? user)
    {
        var signal = new VoteSignal
        {
            RoundId = roundId,
            VoterId = voter.UserId!,
            Address = origin?.Address,
            Device = origin?.Device,
            AccountCreatedAt = long.TryParse(user?.FindFirst(MemberClaimsFactory.CreatedAtClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var created) ? created : 0,
            CastAt = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        if (!pending.Writer.TryWrite(signal) && Interlocked.Increment(ref dropped) % 10_000 == 1)
        {
            logger.LogWarning("Vote signals are arriving faster than they are written: {Dropped} dropped so far", dropped);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<VoteSignal>();
        while (await pending.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, stoppingToken).ConfigureAwait(false);
            while (batch.Count < 20_000 && pending.Reader.TryRead(out var signal))
            {
                batch.Add(signal);
            }
            try
            {
                await WriteAsync(batch, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Writing {Count} vote signals failed; they are dropped", batch.Count);
            }
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<VoteSignal> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var insert = db.Database.GetDbConnection().CreateCommand();
        insert.Transaction = transaction.GetDbTransaction();
        insert.CommandText = "INSERT INTO vote_signals (round_id, voter_id, address, device, account_created_at, cast_at) VALUES (@r, @v, @a, @d, @c, @t) ON CONFLICT (round_id, voter_id) DO NOTHING";
        var parameters = new[] { "@r", "@v", "@a", "@d", "@c", "@t" }.Select(name =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = name;
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        foreach (var s in batch)
        {
            parameters[0].Value = s.RoundId;
            parameters[1].Value = s.VoterId;
            parameters[2].Value = (object?)s.Address ?? DBNull.Value;
            parameters[3].Value = (object?)s.Device ?? DBNull.Value;
            parameters[4].Value = s.AccountCreatedAt;
            parameters[5].Value = s.CastAt;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A round's signals summed up: the addresses and devices with the most votes, and how many came from accounts younger than a day.</summary>
    public sealed record Report(string RoundId, long Votes, long FromNewAccounts, long FromAccountsOfUnknownAge,
        IReadOnlyList<Count> TopAddresses, IReadOnlyList<Count> TopDevices);

    public sealed record Count(string Key, long Votes);

    public static async Task<Report> ReportAsync(AccountsDbContext db, string roundId, long now)
    {
        var rows = db.VoteSignals.AsNoTracking().Where(s => s.RoundId == roundId);
        var dayAgo = now - (long)TimeSpan.FromDays(1).TotalMilliseconds;
        var addresses = await rows.Where(s => s.Address != null).GroupBy(s => s.Address!).Select(g => new { g.Key, Votes = g.LongCount() })
            .OrderByDescending(c => c.Votes).ThenBy(c => c.Key).Take(20).ToListAsync();
        var devices = await rows.Where(s => s.Device != null).GroupBy(s => s.Device!).Select(g => new { g.Key, Votes = g.LongCount() })
            .OrderByDescending(c => c.Votes).ThenBy(c => c.Key).Take(20).ToListAsync();
        return new Report(roundId, await rows.LongCountAsync(), await rows.LongCountAsync(s => s.AccountCreatedAt > dayAgo),
            await rows.LongCountAsync(s => s.AccountCreatedAt == 0),
            addresses.Select(c => new Count(c.Key, c.Votes)).ToArray(), devices.Select(c => new Count(c.Key, c.Votes)).ToArray());
    }
}
