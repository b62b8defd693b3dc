using System.Security.Claims;
using Events.Silo;
using Events.Web.Accounts.Audit;
using Events.Web.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts.Roster;

/// <summary>How a verification came out.</summary>
public enum VerifyOutcome
{
    Verified,
    AlreadyVerified,

    /// <summary>No roster row has this number with this name and class year (the same answer whichever was wrong).</summary>
    NoMatch,

    /// <summary>The details match a row another account has already claimed.</summary>
    Claimed,

    /// <summary><see cref="AlumniVerification.MaxFailures"/> failures within a day: the member waits, or asks an organizer.</summary>
    TooManyAttempts,

    /// <summary>A mailed link that is expired, altered, or for another account.</summary>
    BadLink,

    /// <summary>A mailed link was asked for (sent when the roster has an address for the number; the answer is the same when not).</summary>
    LinkSent,

    UnknownMember,
}

/// <summary>
/// Makes a member a verified alumnus, in one of three ways: the student number, name and class
/// year they type match a roster row; a link mailed to the roster's address for their number; an
/// organizer's decision. A student number is claimed by one account, an account claims one number,
/// a member may fail <see cref="MaxFailures"/> times a day, and every verification, and every
/// failure, is written to the audit log in the same transaction as the claim.
/// </summary>
public sealed class AlumniVerification(
    AccountsDbContext db, UserManager<Member> users, MemberAccess access, AuditLog audit, AccountMail mail,
    IDataProtectionProvider protection, TimeProvider clock)
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan FailureWindow = TimeSpan.FromDays(1);

    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(2);

    private ITimeLimitedDataProtector Links => protection.CreateProtector("roster-verification-link").ToTimeLimitedDataProtector();

    /// <summary>Failures left today for this member.</summary>
    public async Task<int> AttemptsLeftAsync(string userId)
    {
        var since = clock.GetUtcNow().Subtract(FailureWindow).ToUnixTimeMilliseconds();
        var failed = await db.VerificationAttempts.CountAsync(a => a.UserId == userId && a.At >= since && !a.Succeeded);
        return Math.Max(0, MaxFailures - failed);
    }

    /// <summary>The roster row this member has claimed, if any.</summary>
    public Task<RosterEntry?> ClaimOfAsync(string userId) => db.Roster.AsNoTracking().FirstOrDefaultAsync(r => r.ClaimedBy == userId);

    public async Task<VerifyOutcome> MatchAsync(ClaimsPrincipal user, string? address, string studentNumber, string name, int classYear)
    {
        var (member, caller, refused) = await MayTryAsync(user);
        if (refused is { } outcome)
        {
            return outcome;
        }
        var number = RosterNames.Number(studentNumber ?? "");
        var key = RosterNames.Key(name ?? "");
        var row = number.Length is > 0 and <= 32 ? await db.Roster.FirstOrDefaultAsync(r => r.StudentNumber == number) : null;
        if (row is null || row.NameKey != key || row.ClassYear != classYear || key.Length == 0)
        {
            await FailAsync(member, caller, address, number, "no match");
            return VerifyOutcome.NoMatch;
        }
        if (row.ClaimedBy is not null && row.ClaimedBy != member.Id)
        {
            await FailAsync(member, caller, address, number, "claimed by another account");
            return VerifyOutcome.Claimed;
        }
        return await ClaimAsync(member, caller, address, number, AuditActions.VerifiedByRoster, null);
    }

    /// <summary>
    /// Mails a verification link to the address the roster holds for this number, when it holds
    /// one and nobody has claimed the number. Counts as an attempt either way (it sends mail),
    /// and answers the same either way, so it tells nobody which numbers have an address.
    /// </summary>
    public async Task<VerifyOutcome> SendLinkAsync(ClaimsPrincipal user, string? address, string studentNumber)
    {
        var (member, caller, refused) = await MayTryAsync(user);
        if (refused is { } outcome)
        {
            return outcome;
        }
        var number = RosterNames.Number(studentNumber ?? "");
        var row = number.Length is > 0 and <= 32 ? await db.Roster.AsNoTracking().FirstOrDefaultAsync(r => r.StudentNumber == number) : null;
        // Recorded as a failure until the link is used: asking for links is limited like guessing.
        await FailAsync(member, caller, address, number, row?.Email is null ? "link asked, no address on the roster" : row.ClaimedBy is null ? "link mailed" : "link asked, claimed by another account");
        if (row is { Email: { } email, ClaimedBy: null })
        {
            var token = Links.Protect(member.Id + "\n" + number, LinkLifetime);
            await mail.SendRosterLinkAsync(email, row.Name, "/account/verify/link?token=" + Uri.EscapeDataString(token));
        }
        return VerifyOutcome.LinkSent;
    }

    /// <summary>The number a link stands for, when it is genuine, unexpired and this member's.</summary>
    public string? ReadLink(ClaimsPrincipal user, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048 || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return null;
        }
        try
        {
            var parts = Links.Unprotect(token).Split('\n');
            return parts is [var owner, var number] && owner == userId ? number : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public async Task<VerifyOutcome> UseLinkAsync(ClaimsPrincipal user, string? address, string? token)
    {
        if (ReadLink(user, token) is not { } number)
        {
            return VerifyOutcome.BadLink;
        }
        var (member, caller) = await MemberAsync(user);
        if (member is null)
        {
            return VerifyOutcome.UnknownMember;
        }
        if (await IsVerifiedAsync(member))
        {
            return VerifyOutcome.AlreadyVerified;
        }
        var row = await db.Roster.FirstOrDefaultAsync(r => r.StudentNumber == number);
        if (row is null)
        {
            return VerifyOutcome.BadLink;
        }
        if (row.ClaimedBy is not null && row.ClaimedBy != member.Id)
        {
            return VerifyOutcome.Claimed;
        }
        return await ClaimAsync(member, caller, address, number, AuditActions.VerifiedByLink, null);
    }

    /// <summary>An organizer verifies a member, with the roster row they have checked (optional) and their reason.</summary>
    public async Task<VerifyOutcome> DecideAsync(ClaimsPrincipal organizer, string? address, string memberEmail, string? studentNumber, string reason)
    {
        var actor = CallerFactory.From(organizer);
        if (await users.FindByEmailAsync(memberEmail.Trim()) is not { } member)
        {
            return VerifyOutcome.UnknownMember;
        }
        if (await IsVerifiedAsync(member))
        {
            return VerifyOutcome.AlreadyVerified;
        }
        string? number = null;
        if (!string.IsNullOrWhiteSpace(studentNumber))
        {
            number = RosterNames.Number(studentNumber);
            var row = await db.Roster.FirstOrDefaultAsync(r => r.StudentNumber == number);
            if (row is null)
            {
                return VerifyOutcome.NoMatch;
            }
            if (row.ClaimedBy is not null && row.ClaimedBy != member.Id)
            {
                return VerifyOutcome.Claimed;
            }
        }
        return await ClaimAsync(member, actor, address, number, AuditActions.VerifiedByOrganizer, reason, subject: member.Id);
    }

    /// <summary>
    /// The university's sign-in says this member is a verified alumnus: verified at once, with
    /// their roster row when the provider names a student number nobody else has claimed.
    /// </summary>
    public async Task<VerifyOutcome> ByProviderAsync(Member member, string? studentNumber, string? address)
    {
        if (await IsVerifiedAsync(member))
        {
            return VerifyOutcome.AlreadyVerified;
        }
        string? number = null;
        if (!string.IsNullOrWhiteSpace(studentNumber) && studentNumber.Length <= 64)
        {
            var candidate = RosterNames.Number(studentNumber);
            var row = await db.Roster.AsNoTracking().FirstOrDefaultAsync(r => r.StudentNumber == candidate);
            number = row is not null && (row.ClaimedBy is null || row.ClaimedBy == member.Id) ? candidate : null;
        }
        var self = new Caller(member.Id, DisplayNames.For(member), Silo.LiveRoles.Member);
        var outcome = await ClaimAsync(member, self, address, number, AuditActions.VerifiedBySso, "the university's sign-in says so");
        // A number claimed between the read and the claim: verified without it.
        return outcome == VerifyOutcome.Claimed ? await ClaimAsync(member, self, address, null, AuditActions.VerifiedBySso, "the university's sign-in says so") : outcome;
    }

    private async Task<VerifyOutcome> ClaimAsync(Member member, Caller actor, string? address, string? number, string action, string? reason, string? subject = null)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (number is not null)
        {
            // The claim is one conditional update: two accounts claiming one number at once, one wins.
            var claimed = await db.Roster
                .Where(r => r.StudentNumber == number && (r.ClaimedBy == null || r.ClaimedBy == member.Id))
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.ClaimedBy, member.Id).SetProperty(x => x.ClaimedAt, now));
            if (claimed == 0)
            {
                await transaction.RollbackAsync();
                return VerifyOutcome.Claimed;
            }
        }
        var added = await users.AddToRoleAsync(member, Roles.Verified);
        if (!added.Succeeded)
        {
            throw new InvalidOperationException("Granting Verified failed: " + string.Join(" ", added.Errors.Select(e => e.Description)));
        }
        if (subject is null)
        {
            db.VerificationAttempts.Add(new VerificationAttempt { UserId = member.Id, At = now, Succeeded = true });
        }
        db.Audit.Add(audit.Entry(actor, address, action, subject ?? member.Id, DisplayNames.For(member) + " · " + Detail(number, reason)));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        await access.RecordAsync(member.Id);
        return VerifyOutcome.Verified;
    }

    private async Task FailAsync(Member member, Caller caller, string? address, string number, string why)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        db.VerificationAttempts.Add(new VerificationAttempt { UserId = member.Id, At = now, Succeeded = false });
        db.Audit.Add(audit.Entry(caller, address, AuditActions.VerificationFailed, member.Id, DisplayNames.For(member) + " · " + Detail(number.Length > 32 ? number[..32] : number, why)));
        await db.SaveChangesAsync();
    }

    private static string Detail(string? number, string? reason) =>
        (number, reason) switch
        {
            (null, null) => "",
            ({ } n, null) => "student number " + n,
            (null, { } r) => r,
            ({ } n, { } r) => "student number " + n + ": " + r,
        };

    /// <summary>The member, unless they may not try now: unknown, verified already, or out of tries today.</summary>
    private async Task<(Member Member, Caller Caller, VerifyOutcome? Refused)> MayTryAsync(ClaimsPrincipal user)
    {
        var (member, caller) = await MemberAsync(user);
        if (member is null)
        {
            return (null!, caller, VerifyOutcome.UnknownMember);
        }
        if (await IsVerifiedAsync(member))
        {
            return (member, caller, VerifyOutcome.AlreadyVerified);
        }
        return (member, caller, await AttemptsLeftAsync(member.Id) == 0 ? VerifyOutcome.TooManyAttempts : null);
    }

    private async Task<(Member? Member, Caller Caller)> MemberAsync(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return (id is null ? null : await users.FindByIdAsync(id), CallerFactory.From(user));
    }

    private Task<bool> IsVerifiedAsync(Member member) => users.IsInRoleAsync(member, Roles.Verified);
}
