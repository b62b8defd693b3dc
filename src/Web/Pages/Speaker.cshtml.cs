using Events.Web.Content;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

public sealed class SpeakerModel(ContentStore content) : PageModel
{
    public SpeakerItem Speaker { get; private set; } = null!;
    public IReadOnlyList<SessionItem> Sessions { get; private set; } = [];

    public IActionResult OnGet(string slug)
    {
        if (content.Current.FindSpeaker(slug) is not { } found)
        {
            return NotFound();
        }
        Speaker = found;
        Sessions = content.Current.SessionsOfSpeaker(slug);
        return Page();
    }
}
