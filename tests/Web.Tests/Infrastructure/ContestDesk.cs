using System.Net;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// The judging pages driven as a person fills them in: each form is fetched for its antiforgery
/// token and posted back, with the real cookie of a signed-in person.
/// </summary>
public sealed class ContestDesk(HttpClient signedIn, string contest)
{
    public const string Contest = "contest-2026";

    public HttpClient Client => signedIn;

    public string SheetPath => $"/contests/{contest}/judge";

    public string DeskPath => $"/organize/contests/{contest}";

    public static string Field(string project, string criterion) => $"score:{project}:{criterion}";

    public async Task<(HttpStatusCode Status, string Html)> PostAsync(string path, string handler, IDictionary<string, string> form)
    {
        var page = await signedIn.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var fields = new Dictionary<string, string>(form) { ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await page.Content.ReadAsStringAsync()) };
        var response = await signedIn.PostAsync(handler.Length == 0 ? path : $"{path}?handler={handler}", new FormUrlEncodedContent(fields));
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    public Task<(HttpStatusCode Status, string Html)> AddJudgeAsync(string email) => PostAsync(DeskPath, "AddJudge", new Dictionary<string, string> { ["email"] = email });

    public Task<(HttpStatusCode Status, string Html)> LockAsync(string? round) => PostAsync(DeskPath, "Lock", new Dictionary<string, string> { ["round"] = round ?? "" });

    public Task<(HttpStatusCode Status, string Html)> RevealAsync(int places) => PostAsync(DeskPath, "Reveal", new Dictionary<string, string> { ["places"] = places.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Posts a sheet: every (project, criterion) given, as typed (a later entry for the same box replaces an earlier one).</summary>
    public Task<(HttpStatusCode Status, string Html)> ScoreAsync(IEnumerable<(string Project, string Criterion, string Typed)> scores) =>
        PostAsync(SheetPath, "", scores.GroupBy(s => Field(s.Project, s.Criterion)).ToDictionary(g => g.Key, g => g.Last().Typed));

    /// <summary>Every project scored <paramref name="score"/> on every criterion, except those <paramref name="except"/> gives a score of their own.</summary>
    public static IEnumerable<(string, string, string)> Sheet(IReadOnlyList<string> projects, IReadOnlyList<string> criteria, int score, IReadOnlyDictionary<string, int>? except = null) =>
        projects.SelectMany(p => criteria.Select(c => (p, c, (except?.GetValueOrDefault(p, score) ?? score).ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
