using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Events.Web.Accounts;

/// <summary>
/// Makes a change of someone's roles, a "sign out everywhere" and a password reset reach every
/// credential already handed out, on every node, within seconds: cookies, bearer tokens (which
/// Identity never re-checks) and hub connections (whose identity is fixed when the socket opens).
/// <para>
/// Each change is a row in <c>access_changes</c> (the accounts database, so every node sees it).
/// Every node reads new rows every <see cref="PollEvery"/> and, for each person named, their
/// current security stamp and roles. A credential of such a person is then judged by that:
/// a stamp that differs (signed out everywhere, password changed) makes it anonymous, and its
/// roles are replaced by the current ones. Everybody else's credentials are taken as they are, so
/// the hot path (a vote) costs one dictionary lookup and no database read.
/// </para>
/// </summary>
public sealed class MemberAccess(IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, TimeProvider clock, ILogger<MemberAccess> logger)
    : BackgroundService
{
    /// <summary>How often a node reads the changes made on other nodes.</summary>
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(5);

    /// <summary>Changes older than the longest-lived credential (a 14-day cookie or refresh token) no longer matter.</summary>
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(15);

    private static readonly ClaimsPrincipal Nobody = new(new ClaimsIdentity());

    private readonly ConcurrentDictionary<string, Current> changed = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <see cref="changed"/> has ever held an entry. Read on every hub call instead of
    /// <c>changed.IsEmpty</c>, which takes all of the dictionary's locks when it is empty: under a
    /// vote storm every call queued on them (13% of the server's CPU spent in lock spinning).
    /// </summary>
    private volatile bool anyChanged;
    private long lastSeen;

    /// <summary>A person's security stamp and roles as the database had them after their latest change; a deleted account has no stamp.</summary>
    private sealed record Current(string? Stamp, string[] Roles);

    /// <summary>The credential as it stands now: anonymous when it was revoked, with the current roles when they changed.</summary>
    public ClaimsPrincipal Apply(ClaimsPrincipal principal)
    {
        if (!anyChanged || principal.Identity is not ClaimsIdentity { IsAuthenticated: true } id)
        {
            return principal;
        }
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !changed.TryGetValue(userId, out var current))
        {
            return principal;
        }
        var stampType = identity.Value.ClaimsIdentity.SecurityStampClaimType;
        if (current.Stamp is null || principal.FindFirstValue(stampType) != current.Stamp)
        {
            return Nobody;
        }
        var roles = principal.FindAll(id.RoleClaimType).Select(c => c.Value);
        if (roles.Order(StringComparer.Ordinal).SequenceEqual(current.Roles))
        {
            return principal;
        }
        var updated = new ClaimsIdentity(id.Claims.Where(c => c.Type != id.RoleClaimType), id.AuthenticationType, id.NameClaimType, id.RoleClaimType);
        updated.AddClaims(current.Roles.Select(r => new Claim(id.RoleClaimType, r)));
        return new ClaimsPrincipal(updated);
    }

    /// <summary>Records that a person's roles or stamp changed; this node applies it at once, the others within <see cref="PollEvery"/>.</summary>
    public async Task RecordAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO access_changes (user_id, changed_at) VALUES ({userId}, {clock.GetUtcNow().ToUnixTimeMilliseconds()})");
        await RefreshAsync(scope.ServiceProvider, [userId]);
    }

    /// <summary>The first read, before the node takes requests: changes made while it was down count too.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            var horizon = clock.GetUtcNow().Subtract(KeepFor).ToUnixTimeMilliseconds();
            await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM access_changes WHERE changed_at < {horizon}", cancellationToken);
        }
        await PollAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Reading the latest role and sign-out changes failed; trying again in {Seconds} s", PollEvery.TotalSeconds);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var rows = await db.Database
            .SqlQuery<ChangeRow>($"SELECT id AS \"Id\", user_id AS \"UserId\" FROM access_changes WHERE id > {lastSeen} ORDER BY id")
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }
        await RefreshAsync(scope.ServiceProvider, rows.Select(r => r.UserId).Distinct(StringComparer.Ordinal));
        lastSeen = rows[^1].Id;
    }

    private async Task RefreshAsync(IServiceProvider scoped, IEnumerable<string> userIds)
    {
        var users = scoped.GetRequiredService<UserManager<Member>>();
        foreach (var userId in userIds)
        {
            var member = await users.FindByIdAsync(userId);
            anyChanged = true;
            changed[userId] = member is null
                ? new Current(null, [])
                : new Current(await users.GetSecurityStampAsync(member), (await users.GetRolesAsync(member)).Order(StringComparer.Ordinal).ToArray());
        }
    }

    private sealed class ChangeRow
    {
        public long Id { get; set; }

        public string UserId { get; set; } = "";
    }
}

/// <summary>Every authentication (cookie or bearer, page or API) goes through <see cref="MemberAccess"/>.</summary>
public sealed class MemberAccessClaims(MemberAccess access) : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal) => Task.FromResult(access.Apply(principal));
}
