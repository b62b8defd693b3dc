using Events.Web.Content;
using Events.Web.Fair;
using Events.Web.Fair.Applications;
using Events.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Events.Web.Pages.Fair;

/// <summary>
/// A company's applications, for its representatives only (nobody else, organizers included, reads
/// its applicants' resumes): by position, each with the student, their words, a fresh resume link,
/// and a form to move it on with a note the student is mailed.
/// </summary>
[Authorize]
public sealed class CompanyApplicationsModel(Applications applications, BoothStaff staff, ContentStore content, UiText text, FairFigures figures) : MessagePage
{
    public sealed record Item(Applications.Row Row, string? ResumeLink);

    public FairDirectory Directory { get; private set; } = null!;
    public CompanyItem Company { get; private set; } = null!;
    public IReadOnlyList<Item> Items { get; private set; } = [];

    /// <summary>The booth's own figures (visitors, open positions, applications by status).</summary>
    public BoothFigures Figures { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, string company) => await LoadAsync(slug, company) is { } refused ? refused : Page();

    public async Task<IActionResult> OnPostAsync(string slug, string company, string application, string status, string? note)
    {
        if (await LoadAsync(slug, company) is { } refused)
        {
            return refused;
        }
        var item = Items.FirstOrDefault(i => i.Row.Application.Id == application);
        if (item is null)
        {
            return NotFound();
        }
        var position = Company.Positions.FirstOrDefault(p => p.Id == item.Row.Application.Position);
        switch (await applications.UpdateAsync(Me, application, status, note, Company.Name, position?.Title ?? new Localized(item.Row.Application.Position, item.Row.Application.Position)))
        {
            case "forbidden":
                return Forbid();
            case { } problem:
                return Say(text[problem], error: true);
        }
        await LoadAsync(slug, company);
        return Say(text["fair.company.saved"], error: false);
    }

    private string? Me => Accounts.CallerFactory.From(User).UserId;

    private async Task<IActionResult?> LoadAsync(string slug, string company)
    {
        if (FairDirectory.For(content.Current, slug) is not { } directory || directory.FindBooth(company) is not { } booth)
        {
            return NotFound();
        }
        if (!await staff.RepresentsAsync(Me, booth.Slug))
        {
            return Forbid();
        }
        Directory = directory;
        Company = booth;
        var items = new List<Item>();
        foreach (var row in await applications.ForCompanyAsync(Me, booth.Slug))
        {
            items.Add(new Item(row, await applications.LinkAsync(row.Application, Me)));
        }
        Items = items;
        Figures = (await figures.ForFairAsync(directory, booth.Slug))[0];
        return null;
    }
}
