using System.Text.Json;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;

namespace Events.Web.Pages;

/// <summary>
/// The mobile voting page, opened from the QR code on the stream and on the watch page. Built for a
/// storm of visits: it is rendered from the content alone (no grain, no database), the same for
/// every anonymous visitor in a language, so it is kept in the output cache and may be kept by a
/// CDN; the rounds, the person and their ballot come over the live hub once the script connects.
/// </summary>
[OutputCache(PolicyName = VotePage.CachePolicy)]
public sealed class VoteModel(ContentStore content, UiText text) : PageModel
{
    public SessionItem Session { get; private set; } = null!;
    public EventItem? Event { get; private set; }

    /// <summary>The session's contest projects in running order (empty for a session without one).</summary>
    public IReadOnlyList<ProjectItem> Projects { get; private set; } = [];

    public string ClientText { get; private set; } = "{}";

    public string ProjectTitles { get; private set; } = "{}";

    public IActionResult OnGet(string slug)
    {
        var catalog = content.Current;
        if (catalog.FindSession(slug) is not { } found)
        {
            return NotFound();
        }
        Session = found;
        Event = catalog.FindEvent(found.EventSlug);
        (Projects, ProjectTitles) = VotePage.ProjectsOf(catalog, found, text.IsChinese);
        ClientText = JsonSerializer.Serialize(text.ClientStrings());
        VotePage.MarkCacheable(HttpContext);
        return Page();
    }
}
