using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Events.Streaming.Blobs;
using Events.Web.Accounts;
using Events.Web.Accounts.Companies;
using Events.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// Applying to a fair's positions with a PDF resume through the booth page's real form: what a
/// resume must be (checked by its bytes), that nothing is stored when refused, who reads a resume
/// and for how long its link works, and the company moving an application on with a mailed note.
/// </summary>
public sealed partial class FairApplicationTests
{
    private const string Booth = "/fair/jobfair-2026-autumn/booths/helixbay-bio";
    private const string Position = "cell-culture-scientist";

    [GeneratedRegex("href=\"(/fair/resumes/[^\"]+)\"")]
    private static partial Regex ResumeLink();

    /// <summary>The events' and the links' clock, moved on by a test to see a link expire.</summary>
    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Ahead;
    }

    /// <summary>A small real PDF: one page of text; with <paramref name="script"/>, an OpenAction running JavaScript hidden in a compressed object stream.</summary>
    private static byte[] Pdf(bool script = false, int padTo = 0)
    {
        var body = new StringBuilder("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n");
        var bytes = new List<byte>(Encoding.ASCII.GetBytes(body.ToString()));
        if (script)
        {
            using var packed = new MemoryStream();
            using (var zlib = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(Encoding.ASCII.GetBytes("4 0 << /S /JavaScript /JS (app.alert('hi')) >>"));
            }
            bytes.AddRange(Encoding.ASCII.GetBytes($"5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {packed.Length} >>\nstream\n"));
            bytes.AddRange(packed.ToArray());
            bytes.AddRange(Encoding.ASCII.GetBytes("\nendstream\nendobj\n"));
        }
        while (bytes.Count < padTo)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes("% padding to make a large resume ......................................\n"));
        }
        bytes.AddRange(Encoding.ASCII.GetBytes("trailer << /Root 1 0 R >>\n%%EOF\n"));
        return bytes.ToArray();
    }

    private static async Task<HttpResponseMessage> ApplyAsync(HttpClient browser, byte[] file, string fileName, string position = Position, string message = "")
    {
        var token = LiveHost.AntiforgeryToken(await browser.GetStringAsync(Booth));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(message), "message" },
        };
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new("application/pdf");
        form.Add(content, "resume", fileName);
        return await browser.PostAsync($"{Booth}?handler=Apply&position={position}", form);
    }

    private static async Task<(int Rows, int Blobs)> StoredAsync(LiveHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<AccountsDbContext>().JobApplications.CountAsync();
        var blobs = (await host.Services.GetRequiredService<IBlobStore>().ListAsync("resumes/")).Count;
        return (rows, blobs);
    }


    [Fact]
    public async Task A_resume_must_be_a_PDF_by_its_bytes_without_scripts_and_a_refused_one_leaves_nothing_stored()
    {
        await using var host = await LiveHost.StartAsync();
        var student = await host.CreateAccountAsync("student");
        var browser = await host.SignInWithFormAsync(student.Email, student.Password);

        async Task RefusedAsync(byte[] file, string name, string says, string message = "")
        {
            var answer = await ApplyAsync(browser, file, name, message: message);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            Assert.Contains(says, WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync()));
            Assert.Equal((0, 0), await StoredAsync(host));
        }
        await RefusedAsync(Pdf(padTo: 6 * 1024 * 1024), "big.pdf", "The resume is larger than 5 MB");
        await RefusedAsync([0x4D, 0x5A, 0x90, 0x00, .. Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.%%EOF")], "cv.pdf", "This file is not a PDF, whatever its name says");
        await RefusedAsync(Encoding.UTF8.GetBytes("<!doctype html><script>alert(1)</script>%%EOF"), "resume.pdf", "This file is not a PDF, whatever its name says");
        await RefusedAsync(Pdf(script: true), "resume.pdf", "This PDF has scripts, actions or attached files in it");
        await RefusedAsync([], "empty.pdf", "Choose your resume, a PDF file.");
        await RefusedAsync(Pdf(), "resume.pdf", "The message is at most 1,000 characters", message: new string('x', 1001));
        var sent = await ApplyAsync(browser, Pdf(), "C:\\Users\\li\\My CV.pdf", message: "I worked two summers in a cell culture lab.");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal("/fair/applications", sent.Headers.Location?.OriginalString);
        Assert.Equal((1, 1), await StoredAsync(host));
        var mine = WebUtility.HtmlDecode(await browser.GetStringAsync("/fair/applications"));
        Assert.Contains("Your application to Helixbay Biotherapeutics for Cell Culture Scientist was sent.", mine);
        Assert.Contains("Received", mine);
        Assert.Contains("My CV.pdf", mine);
        // Once per position: a second one is refused and stores nothing more.
        var again = await ApplyAsync(browser, Pdf(), "resume.pdf");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("You have already applied to this position", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
        Assert.Equal((1, 1), await StoredAsync(host));
        // The booth shows the student where the application stands instead of the form.
        Assert.Contains("You applied: Received", WebUtility.HtmlDecode(await browser.GetStringAsync(Booth)));

        // The student's data download lists it; deleting the account deletes the application and its resume.
        var data = System.Text.Json.JsonDocument.Parse(await browser.GetStringAsync("/account/data")).RootElement;
        Assert.Equal("cell-culture-scientist", data.GetProperty("jobApplications")[0].GetProperty("position").GetString());
        var token = LiveHost.AntiforgeryToken(await browser.GetStringAsync("/account/delete"));
        var deleted = await browser.PostAsync("/account/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Password"] = student.Password }));
        Assert.Equal("/account/deleted", deleted.Headers.Location?.OriginalString);
        Assert.Equal((0, 0), await StoredAsync(host));
    }

    [Fact]
    public async Task Only_the_student_and_the_companys_representatives_read_a_resume_through_links_that_expire_and_the_student_is_mailed_each_move()
    {
        var clock = new MovableClock();
        await using var host = await LiveHost.StartAsync(services: (s, _) => s.AddSingleton<TimeProvider>(clock));
        var student = await host.CreateAccountAsync("student");
        var repA = await host.CreateAccountAsync("helix", Roles.CompanyRep);
        var repB = await host.CreateAccountAsync("abacrest", Roles.CompanyRep);
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer, Roles.Administrator);
        await host.MakeCompanyRepAsync(repA, "helixbay-bio");
        await host.MakeCompanyRepAsync(repB, "abacrest-fintech");
        var studentBrowser = await host.SignInWithFormAsync(student.Email, student.Password);
        var resume = Pdf();
        Assert.Equal(HttpStatusCode.Redirect, (await ApplyAsync(studentBrowser, resume, "li-resume.pdf", message: "Hello")).StatusCode);

        // The company's representative sees it, with the student's words, and reads the resume.
        var a = await host.SignInWithFormAsync(repA.Email, repA.Password);
        Assert.Contains("Applications (1)", await a.GetStringAsync(Booth));
        var list = WebUtility.HtmlDecode(await a.GetStringAsync($"{Booth}/applications"));
        Assert.Contains("student", list);
        Assert.Contains("Hello", list);
        var link = WebUtility.HtmlDecode(ResumeLink().Match(list).Groups[1].Value);
        var read = await a.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(resume, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", read.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains("no-store", read.Headers.CacheControl?.ToString());

        // Another company's representative, an organizer, and anyone holding the link: no.
        var b = await host.SignInWithFormAsync(repB.Email, repB.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync($"{Booth}/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync(link)).StatusCode);
        var o = await host.SignInWithFormAsync(organizer.Email, organizer.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await o.GetAsync($"{Booth}/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await o.GetAsync(link)).StatusCode);
        var anonymous = host.Browser();
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync(link.Replace("?t=", "?t=x", StringComparison.Ordinal))).StatusCode);
        // The student reads their own through their page's link.
        var own = WebUtility.HtmlDecode(ResumeLink().Match(await studentBrowser.GetStringAsync("/fair/applications")).Groups[1].Value);
        Assert.Equal(resume, await studentBrowser.GetByteArrayAsync(own));

        // After 15 minutes the link is told expired; the page gives a fresh one.
        clock.Ahead = TimeSpan.FromMinutes(16);
        var expired = await a.GetAsync(link);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("This resume link has expired", await expired.Content.ReadAsStringAsync());
        var fresh = WebUtility.HtmlDecode(ResumeLink().Match(await a.GetStringAsync($"{Booth}/applications")).Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(fresh)).StatusCode);

        // The company invites the student to interview, with a note: the student sees it and is mailed.
        var page = await a.GetStringAsync($"{Booth}/applications");
        var id = Regex.Match(page, "name=\"application\" value=\"([0-9a-f]+)\"").Groups[1].Value;
        async Task<HttpResponseMessage> MoveAsync(string status, string note) => await a.PostAsync($"{Booth}/applications", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(page),
            ["application"] = id,
            ["status"] = status,
            ["note"] = note,
        }));
        // A status the form does not offer, or a note too long, is named and changes nothing.
        var wrongStatus = await MoveAsync("hired", "");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongStatus.StatusCode);
        Assert.Contains("Choose one of the statuses offered", await wrongStatus.Content.ReadAsStringAsync());
        var longNote = await MoveAsync("interview", new string('n', 1001));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longNote.StatusCode);
        Assert.Contains("The note is at most 1,000 characters", await longNote.Content.ReadAsStringAsync());
        Assert.Contains("Received", WebUtility.HtmlDecode(await studentBrowser.GetStringAsync("/fair/applications")));
        var moved = await a.PostAsync($"{Booth}/applications", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(page),
            ["application"] = id,
            ["status"] = "interview",
            ["note"] = "Tuesday 10:00, video call; the link follows.",
        }));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Contains("Saved: the student was mailed.", await moved.Content.ReadAsStringAsync());
        var mine = WebUtility.HtmlDecode(await studentBrowser.GetStringAsync("/fair/applications"));
        Assert.Contains("Interview", mine);
        Assert.Contains("Tuesday 10:00, video call; the link follows.", mine);
        var mail = await Mailbox.WaitForAsync(host.MailFolder, student.Email);
        Assert.Contains("Helixbay Biotherapeutics", mail.Subject);
        Assert.Contains("it is now \"Interview\"", mail.TextBody);
        Assert.Contains("螺湾生物医药已更新你对“细胞培养研究员”的申请，当前状态为“面试”", mail.TextBody);
        Assert.Contains("Tuesday 10:00", mail.TextBody);
        // Another company's representative cannot move it.
        var bPage = await b.GetAsync($"{Booth}/applications");
        Assert.Equal(HttpStatusCode.Forbidden, bPage.StatusCode);
    }

    [Fact]
    public async Task Organizers_see_every_booths_visitors_and_applications_and_download_them()
    {
        await using var host = await LiveHost.StartAsync();
        var student = await host.CreateAccountAsync("student");
        var other = await host.CreateAccountAsync("other");
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        Assert.Equal(HttpStatusCode.Redirect, (await ApplyAsync(await host.SignInWithFormAsync(student.Email, student.Password), Pdf(), "cv.pdf")).StatusCode);
        var booth = Fair.BoothSessions.Of("helixbay-bio");
        await using (var a = await LiveClient.JoinAsync(host, booth, student.Token))
        await using (var b = await LiveClient.JoinAsync(host, booth, other.Token))
        {
            await Eventually.TrueAsync(() => b.Counts.Current == 2, "two at the booth");
        }

        var o = await host.SignInWithFormAsync(organizer.Email, organizer.Password);
        string[] row = [];
        await Eventually.TrueAsync(async () =>
        {
            var csv = await o.GetStringAsync("/organize/fair/jobfair-2026-autumn/booths.csv");
            var lines = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("company,name,name_zh,hall,unique_visitors,visits,peak_visitors,open_positions,applications,applications_received,applications_interview,applications_offer,applications_declined,calls,calls_skipped,queue_left,mean_wait_seconds,mean_call_seconds", lines[0].TrimEnd('\r'));
            Assert.Equal(151, lines.Length);
            row = lines.Single(l => l.StartsWith("helixbay-bio,", StringComparison.Ordinal)).TrimEnd('\r').Split(',');
            return row[4] == "2";
        }, "the booth's two unique visitors in the export", 10_000);
        Assert.Equal(["2", "2", "2", "3", "1", "1", "0", "0", "0", "0", "0", "0", "", ""], row[4..]);

        var page = await o.GetStringAsync("/organize/fair/jobfair-2026-autumn?sort=applications");
        Assert.Matches("<tbody>\\s*<tr data-company=\"helixbay-bio\">", page);
        // Not for students or representatives, and not for an event that is no fair.
        var s = await host.SignInWithFormAsync(student.Email, student.Password);
        Assert.NotEqual(HttpStatusCode.OK, (await s.GetAsync("/organize/fair/jobfair-2026-autumn")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await s.GetAsync("/organize/fair/jobfair-2026-autumn/booths.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await o.GetAsync("/organize/fair/contest-2026/booths.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await o.GetAsync("/organize/fair/jobfair-2026-autumn?sort=nope")).StatusCode);
    }
}
