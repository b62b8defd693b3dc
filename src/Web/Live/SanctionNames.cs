using Events.Silo.Live;
using Events.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Live;

/// <summary>Puts the people's display names beside the sanctions a moderator lists (an account deleted meanwhile shows its id).</summary>
public sealed class SanctionNames(IServiceScopeFactory scopes)
{
    public async Task<IReadOnlyList<SanctionEntry>> NameAsync(IReadOnlyList<SanctionView> sanctions)
    {
        if (sanctions.Count == 0)
        {
            return [];
        }
        var ids = sanctions.Select(s => s.UserId).Distinct().ToArray();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var members = await db.Users.Where(u => ids.Contains(u.Id)).ToListAsync();
        var names = members.ToDictionary(m => m.Id, DisplayNames.For, StringComparer.Ordinal);
        return sanctions.Select(s => new SanctionEntry(s.UserId, names.GetValueOrDefault(s.UserId) ?? s.UserId, s.Kind, s.Until, s.SetBy)).ToArray();
    }
}
