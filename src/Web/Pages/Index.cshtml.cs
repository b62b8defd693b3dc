using Events.Silo;
using Events.Silo.Store;
using Events.Web.Content;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

public sealed class IndexModel(ContentStore content, SessionStatuses statuses, EventClock clock) : PageModel
{
    public IReadOnlyList<EventItem> Current { get; private set; } = [];
    public IReadOnlyList<EventItem> Upcoming { get; private set; } = [];
    public IReadOnlyList<EventItem> Past { get; private set; } = [];
    public IReadOnlyList<SessionItem> OnAir { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var catalog = content.Current;
        var now = clock.GetUtcNow();
        Current = catalog.Events.Where(e => e.Starts <= now && now <= e.Ends).ToArray();
        Upcoming = catalog.Events.Where(e => e.Starts > now).ToArray();
        Past = catalog.Events.Where(e => e.Ends < now).Reverse().ToArray();
        var onAir = new List<SessionItem>();
        foreach (var e in catalog.Events)
        {
            foreach (var s in catalog.SessionsOf(e.Slug))
            {
                if (await statuses.GetAsync(s.Slug) == SessionStatus.Live)
                {
                    onAir.Add(s);
                }
            }
        }
        OnAir = onAir;
    }
}
