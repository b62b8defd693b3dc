using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts;

/// <summary>Accounts and roles (ASP.NET Core Identity) in their own SQLite file, apart from the live store.</summary>
public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options) : IdentityDbContext<Member>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Member>().Property(m => m.DisplayName).HasMaxLength(40);
    }
}
