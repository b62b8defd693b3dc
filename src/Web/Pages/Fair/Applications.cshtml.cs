using Events.Web.Content;
using Events.Web.Fair.Applications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Fair;

/// <summary>A student's applications at every fair: position, company, where each stands, the company's note, and a fresh link to the resume sent.</summary>
[Authorize]
public sealed class ApplicationsModel(Applications applications, ContentStore content) : PageModel
{
    public sealed record Item(JobApplication Application, CompanyItem? Company, PositionItem? Position, string? ResumeLink);

    public IReadOnlyList<Item> Items { get; private set; } = [];

    public string? Sent { get; private set; }

    public async Task OnGetAsync()
    {
        Sent = TempData["fair.sent"] as string;
        var me = Accounts.CallerFactory.From(User).UserId;
        var catalog = content.Current;
        var items = new List<Item>();
        foreach (var a in await applications.MineAsync(me!))
        {
            var company = catalog.FindCompany(a.Company);
            items.Add(new Item(a, company, company?.Positions.FirstOrDefault(p => p.Id == a.Position), await applications.LinkAsync(a, me)));
        }
        Items = items;
    }
}
