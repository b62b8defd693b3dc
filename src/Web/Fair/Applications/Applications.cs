using System.Security.Cryptography;
using Events.Streaming.Blobs;
using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Events.Web.Content;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Fair.Applications;

/// <summary>
/// Applications to positions, with their resumes: a student applies once per position with a PDF
/// (checked by <see cref="ResumeCheck"/>, within a quota per student and fair); the company's
/// representatives move each through received, interview, offer, declined with a note, and the
/// student is mailed each change. A resume is read only through a link made for one signed-in
/// person (the student or a representative of the company), which expires after
/// <see cref="LinkLifetime"/>; the link alone opens nothing for anyone else.
/// </summary>
public sealed class Applications(AccountsDbContext db, IBlobStore blobs, BoothStaff staff, AccountMail mail, IDataProtectionProvider protection, TimeProvider time)
{
    public const int MostMessage = 1000;
    public const int MostNote = 1000;
    public const int MostPerStudent = 30;
    public const long MostBytesPerStudent = 40 * 1024 * 1024;
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    // The expiry is inside the protected text, so a link that is only old is told apart from one that was never made here.
    private IDataProtector Links => protection.CreateProtector("fair.resume-links");

    public sealed record Applied(JobApplication? Application, string? Problem);

    public sealed record Row(JobApplication Application, string StudentName, string? StudentEmail);

    /// <summary>The student's applications at a fair, newest first.</summary>
    public async Task<IReadOnlyList<JobApplication>> MineAsync(string studentId, string? fair = null) =>
        (await db.JobApplications.Where(a => a.StudentId == studentId && (fair == null || a.Fair == fair)).ToListAsync())
            .OrderByDescending(a => a.CreatedAt).ToArray();

    /// <summary>Applies with the resume; the problem (a "fair.*" key) when refused, and then nothing is stored.</summary>
    public async Task<Applied> ApplyAsync(string studentId, string fair, CompanyItem company, PositionItem position, IFormFile? resume, string? message, CancellationToken cancel)
    {
        message = (message ?? "").Trim();
        if (message.Length > MostMessage)
        {
            return new(null, "fair.apply.toolong");
        }
        if (resume is null || resume.Length == 0)
        {
            return new(null, "fair.resume.empty");
        }
        if (resume.Length > ResumeCheck.MostBytes)
        {
            return new(null, "fair.resume.toolarge");
        }
        if (await db.JobApplications.AnyAsync(a => a.StudentId == studentId && a.Company == company.Slug && a.Position == position.Id, cancel))
        {
            return new(null, "fair.apply.already");
        }
        var mine = await db.JobApplications.Where(a => a.StudentId == studentId && a.Fair == fair).Select(a => a.ResumeBytes).ToListAsync(cancel);
        if (mine.Count >= MostPerStudent || mine.Sum() + resume.Length > MostBytesPerStudent)
        {
            return new(null, "fair.apply.quota");
        }
        var bytes = new byte[resume.Length];
        await using (var upload = resume.OpenReadStream())
        {
            await upload.ReadExactlyAsync(bytes, cancel);
        }
        if (ResumeCheck.Problem(bytes) is { } problem)
        {
            return new(null, problem);
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var application = new JobApplication
        {
            Id = id,
            Fair = fair,
            Company = company.Slug,
            Position = position.Id,
            StudentId = studentId,
            Message = message,
            Resume = $"resumes/{studentId}/{id}.pdf",
            ResumeName = CleanName(resume.FileName),
            ResumeBytes = bytes.Length,
            CreatedAt = now,
            UpdatedAt = now,
        };
        // The blob first: an application row never points at a resume that is not there.
        await blobs.PutAsync(application.Resume, new MemoryStream(bytes), ResumeCheck.MostBytes, cancel);
        db.JobApplications.Add(application);
        try
        {
            await db.SaveChangesAsync(cancel);
        }
        catch (DbUpdateException)
        {
            // Two submits at once: the other one was stored; this resume goes.
            await blobs.DeleteAsync(application.Resume, CancellationToken.None);
            db.ChangeTracker.Clear();
            return new(null, "fair.apply.already");
        }
        return new(application, null);
    }

    /// <summary>How many applications the company has received (for a page that shows the number to its representatives).</summary>
    public Task<int> CountAsync(string company) => db.JobApplications.CountAsync(a => a.Company == company);

    /// <summary>A company's applications with each student's name and address, newest first; empty for anyone but its representatives.</summary>
    public async Task<IReadOnlyList<Row>> ForCompanyAsync(string? userId, string company)
    {
        if (!await staff.RepresentsAsync(userId, company))
        {
            return [];
        }
        var rows = await (from a in db.JobApplications
                          where a.Company == company
                          join m in db.Users on a.StudentId equals m.Id into members
                          from m in members.DefaultIfEmpty()
                          select new { a, Name = m == null ? null : m.DisplayName, Email = m == null ? null : m.Email }).ToListAsync();
        return rows.OrderByDescending(r => r.a.CreatedAt).Select(r => new Row(r.a, r.Name ?? "", r.Email)).ToArray();
    }

    /// <summary>
    /// Moves an application on, with a note to the student, who is mailed. Null when done; else the
    /// problem, a "fair.company.*" key ("forbidden" when the caller does not represent its company).
    /// </summary>
    public async Task<string?> UpdateAsync(string? userId, string applicationId, string status, string? note, Localized companyName, Localized positionTitle)
    {
        if (!ApplicationStatus.All.Contains(status))
        {
            return "fair.company.badstatus";
        }
        if ((note?.Length ?? 0) > MostNote)
        {
            return "fair.company.notetoolong";
        }
        var application = await db.JobApplications.FindAsync(applicationId);
        if (application is null || !await staff.RepresentsAsync(userId, application.Company))
        {
            return "forbidden";
        }
        var changed = application.Status != status || application.Note != NullIfBlank(note);
        application.Status = status;
        application.Note = NullIfBlank(note);
        application.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.SaveChangesAsync();
        if (changed && await db.Users.Where(u => u.Id == application.StudentId).Select(u => u.Email).FirstOrDefaultAsync() is { } email)
        {
            await mail.SendApplicationUpdateAsync(email, companyName, positionTitle, status, application.Note, "/fair/applications");
        }
        return null;
    }

    /// <summary>A link to the resume for this signed-in person, or null when they may not read it.</summary>
    public async Task<string?> LinkAsync(JobApplication application, string? userId)
    {
        if (userId is null || (application.StudentId != userId && !await staff.RepresentsAsync(userId, application.Company)))
        {
            return null;
        }
        var expires = time.GetUtcNow().Add(LinkLifetime).ToUnixTimeSeconds();
        var token = Links.Protect($"{application.Id}|{userId}|{expires}");
        return $"/fair/resumes/{application.Id}?t={Uri.EscapeDataString(token)}";
    }

    /// <summary>What a resume link gives the signed-in person: the file, or why not.</summary>
    public enum Access
    {
        Granted,
        Expired,
        Denied,
        Missing,
    }

    public async Task<(Access Access, JobApplication? Application)> CheckLinkAsync(string applicationId, string? token, string? userId)
    {
        string payload;
        try
        {
            payload = Links.Unprotect(token ?? "");
        }
        catch (CryptographicException)
        {
            return (Access.Denied, null);
        }
        var parts = payload.Split('|');
        if (parts.Length != 3 || parts[0] != applicationId || parts[1] != userId || !long.TryParse(parts[2], out var expires))
        {
            return (Access.Denied, null);
        }
        if (time.GetUtcNow().ToUnixTimeSeconds() > expires)
        {
            return (Access.Expired, null);
        }
        var application = await db.JobApplications.FindAsync(applicationId);
        if (application is null)
        {
            return (Access.Missing, null);
        }
        // Still the student, or still a representative of the company, now.
        return application.StudentId == userId || await staff.RepresentsAsync(userId, application.Company)
            ? (Access.Granted, application)
            : (Access.Denied, null);
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string CleanName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        var clean = new string(file.Where(c => !char.IsControl(c) && c is not ('"' or '/' or '\\')).ToArray()).Trim();
        clean = clean.Length == 0 ? "resume.pdf" : clean;
        clean = clean.Length > 100 ? clean[..100] : clean;
        return clean.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? clean : clean + ".pdf";
    }
}
