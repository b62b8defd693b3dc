using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts;

/// <summary>
/// Accounts, roles and the Data Protection key ring that signs cookies and bearer tokens: in their
/// own SQLite file on one node, in the shared PostgreSQL database when several nodes serve, so a
/// token issued by one node is honoured by every other.
/// </summary>
public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options) : IdentityDbContext<Member>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Member>().Property(m => m.DisplayName).HasMaxLength(40);
    }
}
