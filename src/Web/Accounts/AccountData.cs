using System.Security.Claims;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Web.Accounts.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts;

/// <summary>
/// A member's own data: all the platform holds on them, as one download, and the deletion of
/// their account. Deleting keeps what others rely on (their votes stay counted, their messages
/// stay in the chat and its replay) but detaches it from them: the person becomes an anonymous id
/// with no name, their roster claim is released, their job applications and resumes are deleted, and
/// every credential they hold stops working.
/// </summary>
public sealed class AccountData(
    UserManager<Member> users, AccountsDbContext db, ILiveStore store, IGrainFactory grains, MemberAccess access, AuditLog audit, TimeProvider clock, Events.Streaming.Blobs.IBlobStore blobs)
{
    public async Task<object> ExportAsync(Member member)
    {
        var live = await store.GetMemberDataAsync(member.Id);
        var claim = await db.Roster.AsNoTracking().FirstOrDefaultAsync(r => r.ClaimedBy == member.Id);
        var attempts = await db.VerificationAttempts.AsNoTracking().Where(a => a.UserId == member.Id).OrderBy(a => a.At).ToListAsync();
        var logged = await db.Audit.AsNoTracking().Where(e => e.ActorId == member.Id || e.Target == member.Id).OrderBy(e => e.Id).ToListAsync();
        var signals = await db.VoteSignals.AsNoTracking().Where(s => s.VoterId == member.Id).OrderBy(s => s.CastAt).ToListAsync();
        var applications = await db.JobApplications.AsNoTracking().Where(a => a.StudentId == member.Id).OrderBy(a => a.CreatedAt).ToListAsync();
        static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return new
        {
            exportedAt = clock.GetUtcNow(),
            account = new
            {
                id = member.Id,
                email = member.Email,
                emailConfirmed = member.EmailConfirmed,
                displayName = DisplayNames.For(member),
                roles = await users.GetRolesAsync(member),
            },
            roster = claim is null ? null : new
            {
                studentNumber = claim.StudentNumber,
                name = claim.Name,
                classYear = claim.ClassYear,
                school = claim.School,
                email = claim.Email,
                verifiedAt = claim.ClaimedAt is { } ms ? At(ms) : (DateTimeOffset?)null,
            },
            verificationAttempts = attempts.Select(a => new { at = At(a.At), succeeded = a.Succeeded }),
            chat = live.Chat.Select(m => new { id = m.Id, session = m.SessionId, text = m.Text, sentAt = At(m.SentAtMs), deleted = m.Deleted }),
            votes = live.Votes.Select(v => new { round = v.RoundId, session = v.SessionId, question = v.Question, option = v.OptionId, castAt = At(v.CastAtMs) }),
            // What was seen of each vote for the anomaly report: the address and a hash of the device.
            voteSignals = signals.Select(s => new { round = s.RoundId, address = s.Address, device = s.Device, castAt = At(s.CastAt) }),
            sanctions = live.Sanctions.Select(s => new { session = s.SessionId, kind = s.Kind.ToLowerInvariant(), until = s.UntilMs is { } u ? At(u) : (DateTimeOffset?)null, setAt = At(s.SetAtMs) }),
            // Job applications; the resumes themselves are on the applications page (links made for you).
            jobApplications = applications.Select(a => new { fair = a.Fair, company = a.Company, position = a.Position, message = a.Message, resume = a.ResumeName, resumeBytes = a.ResumeBytes, status = a.Status, note = a.Note, sentAt = At(a.CreatedAt), updatedAt = At(a.UpdatedAt) }),
            // Places in job fair booths' queues for 1:1 video calls, and how each ended.
            boothQueues = live.QueueTickets.Select(t => new { company = t.Company, ticket = t.No, state = t.State, joinedAt = At(t.JoinedAt), calledAt = t.CalledAt is { } c ? At(c) : (DateTimeOffset?)null, calledBy = t.CalledByName, answeredAt = t.AnsweredAt is { } a ? At(a) : (DateTimeOffset?)null, endedAt = t.EndedAt is { } e ? At(e) : (DateTimeOffset?)null }),
            sessionsWatched = live.Viewed.Select(v => new { session = v.SessionId, firstSeen = At(v.FirstSeenMs) }),
            auditLog = logged.Select(e => new { at = At(e.At), action = e.Action, byYou = e.ActorId == member.Id, target = e.Target, detail = e.Detail, address = e.Address }),
        };
    }

    /// <summary>Deletes the account; false (nothing changed) when it is the last administrator's.</summary>
    public async Task<bool> DeleteAsync(Member member)
    {
        if (await users.IsInRoleAsync(member, Roles.Administrator) && (await users.GetUsersInRoleAsync(Roles.Administrator)).Count <= 1)
        {
            return false;
        }
        var anonymous = "deleted-" + Guid.NewGuid().ToString("N")[..16];
        var name = DisplayNames.For(member);
        var live = await store.GetMemberDataAsync(member.Id);
        // The live store first: if a later step fails, a retry forgets nothing twice and the account still works.
        await store.ForgetMemberAsync(member.Id, anonymous);
        foreach (var session in live.Chat.Select(m => m.SessionId).Concat(live.Sanctions.Select(s => s.SessionId)).Distinct(StringComparer.Ordinal))
        {
            await grains.GetGrain<ILiveSessionGrain>(session).ForgetAuthorAsync(member.Id, anonymous);
        }
        foreach (var company in live.QueueTickets.Where(t => Silo.Fair.TicketStates.IsActive(t.State)).Select(t => t.Company).Distinct(StringComparer.Ordinal))
        {
            await grains.GetGrain<Silo.Fair.IBoothQueueGrain>(company).ForgetAsync(member.Id);
        }
        // Resumes go with the account: the files first, so no application row outlives its file unnoticed and a retry finds the rest.
        foreach (var resume in await db.JobApplications.Where(a => a.StudentId == member.Id).Select(a => a.Resume).ToListAsync())
        {
            await blobs.DeleteAsync(resume);
        }
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.JobApplications.Where(a => a.StudentId == member.Id).ExecuteDeleteAsync();
            await db.Roster.Where(r => r.ClaimedBy == member.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.ClaimedBy, (string?)null).SetProperty(x => x.ClaimedAt, (long?)null));
            await db.VerificationAttempts.Where(a => a.UserId == member.Id).ExecuteDeleteAsync();
            await db.VoteSignals.Where(s => s.VoterId == member.Id).ExecuteDeleteAsync();
            // The log keeps what happened, not who it was: their id becomes the anonymous one, their name and address go.
            foreach (var text in new[] { name, member.Email ?? "" }.Where(t => t.Length > 0))
            {
                await db.Audit.Where(e => (e.Target == member.Id || e.ActorId == member.Id) && e.Detail != null && e.Detail.Contains(text))
                    .ExecuteUpdateAsync(e => e.SetProperty(x => x.Detail, x => x.Detail!.Replace(text, "(deleted)")));
            }
            await db.Audit.Where(e => e.Target == member.Id).ExecuteUpdateAsync(e => e.SetProperty(x => x.Target, anonymous));
            await db.Audit.Where(e => e.ActorId == member.Id).ExecuteUpdateAsync(e => e.SetProperty(x => x.ActorId, anonymous).SetProperty(x => x.ActorName, "").SetProperty(x => x.Address, (string?)null));
            db.Audit.Add(audit.Entry(Silo.Caller.Anonymous, null, AuditActions.AccountDeleted, anonymous, null));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        var deleted = await users.DeleteAsync(member);
        if (!deleted.Succeeded)
        {
            throw new InvalidOperationException("Deleting the account failed: " + string.Join(" ", deleted.Errors.Select(e => e.Description)));
        }
        await access.RecordAsync(member.Id);
        return true;
    }
}
