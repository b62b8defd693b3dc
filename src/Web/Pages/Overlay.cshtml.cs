using System.Text.Json;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;

namespace Events.Web.Pages;

/// <summary>
/// The stream overlay: a transparent 1920×1080 page for a browser source in OBS (or a LiveKit
/// composite), showing the voting page's QR code and the open round as it goes. Like the voting
/// page it is the same for everyone and cacheable; its state comes over the live hub.
/// </summary>
[OutputCache(PolicyName = VotePage.CachePolicy)]
public sealed class OverlayModel(ContentStore content, PublicAddress address, UiText text) : PageModel
{
    public SessionItem Session { get; private set; } = null!;

    /// <summary>The voting page's address as a phone's camera reads it from the QR code, without its scheme.</summary>
    public string VoteAddress { get; private set; } = "";

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
        var url = new Uri(address.Link(VotePage.PathOf(slug)));
        VoteAddress = url.Authority + url.AbsolutePath;
        ClientText = JsonSerializer.Serialize(text.ClientStrings());
        ProjectTitles = VotePage.ProjectsOf(catalog, found, text.IsChinese).TitlesJson;
        VotePage.MarkCacheable(HttpContext);
        return Page();
    }
}
