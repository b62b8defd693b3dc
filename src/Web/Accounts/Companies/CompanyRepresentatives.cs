using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Events.Web.Accounts.Audit;
using Events.Web.Accounts.Mail;
using Events.Web.Content;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts.Companies;

/// <summary>What became of an invitation link.</summary>
public enum InvitationState
{
    Valid,
    Unknown,
    Expired,
    Used,

    /// <summary>Signed in as an account whose email is not the one invited.</summary>
    WrongAccount,
    Accepted,
}

/// <summary>
/// Company representatives: an organizer invites an address to represent a company with a link
/// that works once and for <see cref="Lifetime"/>; accepting it, signed in with that address, makes
/// the account a representative of that company (the CompanyRep role, and the company it is for).
/// A representative manages only their companies' booths. Every invitation, acceptance and removal
/// is in the audit log.
/// </summary>
public sealed class CompanyRepresentatives(
    AccountsDbContext db, UserManager<Member> users, MemberAccess access, AuditLog audit, AccountMail mail, ContentStore content, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public sealed record Pending(string Company, string Email, DateTimeOffset ExpiresAt);

    public sealed record Representative(string UserId, string Company, string DisplayName, string? Email);

    /// <summary>Invites the address; false when the company is unknown.</summary>
    public async Task<bool> InviteAsync(ClaimsPrincipal organizer, HttpContext http, string company, string email)
    {
        if (content.Current.FindCompany(company) is not { } item)
        {
            return false;
        }
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        db.CompanyInvitations.Add(new CompanyInvitation
        {
            Id = Hash(secret),
            Company = company,
            Email = email.Trim(),
            InvitedBy = organizer.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = now.Add(Lifetime).ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync();
        await audit.WriteAsync(organizer, http, AuditActions.RepInvited, company, email.Trim());
        await mail.SendInvitationAsync(email.Trim(), item.Name.En + " / " + item.Name.Zh, "/account/invitation?token=" + Uri.EscapeDataString(secret), (int)Lifetime.TotalDays);
        return true;
    }

    /// <summary>The invitation a link stands for, and whether this person may accept it now.</summary>
    public async Task<(InvitationState State, CompanyInvitation? Invitation)> ReadAsync(string? token, ClaimsPrincipal user)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100 || await db.CompanyInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == Hash(token)) is not { } invitation)
        {
            return (InvitationState.Unknown, null);
        }
        if (invitation.UsedAt is not null)
        {
            return (InvitationState.Used, invitation);
        }
        if (invitation.ExpiresAt <= clock.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return (InvitationState.Expired, invitation);
        }
        if (user.Identity?.IsAuthenticated == true && !string.Equals(user.FindFirstValue(ClaimTypes.Email) ?? (await users.GetUserAsync(user))?.Email, invitation.Email, StringComparison.OrdinalIgnoreCase))
        {
            return (InvitationState.WrongAccount, invitation);
        }
        return (InvitationState.Valid, invitation);
    }

    public async Task<InvitationState> AcceptAsync(ClaimsPrincipal user, HttpContext http, string? token)
    {
        var (state, invitation) = await ReadAsync(token, user);
        if (state != InvitationState.Valid || await users.GetUserAsync(user) is not { } member)
        {
            return state == InvitationState.Valid ? InvitationState.WrongAccount : state;
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            // Once: of two acceptances at the same moment, one finds the link already used.
            var taken = await db.CompanyInvitations.Where(i => i.Id == invitation!.Id && i.UsedAt == null && i.ExpiresAt > now)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.UsedAt, now).SetProperty(x => x.UsedBy, member.Id));
            if (taken == 0)
            {
                return InvitationState.Used;
            }
            if (!await db.CompanyReps.AnyAsync(r => r.UserId == member.Id && r.Company == invitation!.Company))
            {
                db.CompanyReps.Add(new CompanyRep { UserId = member.Id, Company = invitation!.Company, AddedAt = now });
            }
            if (!await users.IsInRoleAsync(member, Roles.CompanyRep))
            {
                Check(await users.AddToRoleAsync(member, Roles.CompanyRep));
            }
            db.Audit.Add(audit.Entry(CallerFactory.From(user), http.Connection.RemoteIpAddress?.ToString(), AuditActions.RepAccepted, invitation!.Company, DisplayNames.For(member)));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        await access.RecordAsync(member.Id);
        return InvitationState.Accepted;
    }

    /// <summary>Ends a person's representation of a company; the role goes with their last company.</summary>
    public async Task<bool> RemoveAsync(ClaimsPrincipal organizer, HttpContext http, string userId, string company)
    {
        if (await db.CompanyReps.Where(r => r.UserId == userId && r.Company == company).ExecuteDeleteAsync() == 0)
        {
            return false;
        }
        if (!await db.CompanyReps.AnyAsync(r => r.UserId == userId) && await users.FindByIdAsync(userId) is { } member && await users.IsInRoleAsync(member, Roles.CompanyRep))
        {
            Check(await users.RemoveFromRoleAsync(member, Roles.CompanyRep));
        }
        await access.RecordAsync(userId);
        await audit.WriteAsync(organizer, http, AuditActions.RepRemoved, company, userId);
        return true;
    }

    public Task<List<string>> CompaniesOfAsync(string userId) =>
        db.CompanyReps.AsNoTracking().Where(r => r.UserId == userId).Select(r => r.Company).OrderBy(c => c).ToListAsync();

    public async Task<(IReadOnlyList<Representative> Reps, IReadOnlyList<Pending> Invitations)> ListAsync()
    {
        var reps = await (from r in db.CompanyReps.AsNoTracking()
                          join u in db.Users.AsNoTracking() on r.UserId equals u.Id
                          orderby r.Company, u.Email
                          select new { r.UserId, r.Company, Member = u }).ToListAsync();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var pending = await db.CompanyInvitations.AsNoTracking().Where(i => i.UsedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.Company).ThenBy(i => i.Email).ToListAsync();
        return (reps.Select(r => new Representative(r.UserId, r.Company, DisplayNames.For(r.Member), r.Member.Email)).ToArray(),
            pending.Select(i => new Pending(i.Company, i.Email, DateTimeOffset.FromUnixTimeMilliseconds(i.ExpiresAt))).ToArray());
    }

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Changing the representative's role failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
