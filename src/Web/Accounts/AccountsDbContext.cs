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
    /// <summary>Every new account gets its registration time, however it is made (pages, the account API, single sign-on).</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var added in ChangeTracker.Entries<Member>().Where(e => e.State == EntityState.Added && e.Entity.CreatedAt == 0))
        {
            added.Entity.CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public DbSet<Live.VoteSignal> VoteSignals => Set<Live.VoteSignal>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Audit.AuditEntry> Audit => Set<Audit.AuditEntry>();

    public DbSet<Roster.RosterEntry> Roster => Set<Roster.RosterEntry>();

    public DbSet<Roster.VerificationAttempt> VerificationAttempts => Set<Roster.VerificationAttempt>();

    public DbSet<Companies.CompanyInvitation> CompanyInvitations => Set<Companies.CompanyInvitation>();

    public DbSet<Companies.CompanyRep> CompanyReps => Set<Companies.CompanyRep>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Member>().Property(m => m.DisplayName).HasMaxLength(40);
        builder.Entity<Member>().Property(m => m.CreatedAt).HasColumnName("created_at").HasDefaultValue(0L);
        builder.Entity<Live.VoteSignal>(e =>
        {
            e.ToTable("vote_signals");
            e.HasKey(x => new { x.RoundId, x.VoterId });
            e.Property(x => x.RoundId).HasColumnName("round_id");
            e.Property(x => x.VoterId).HasColumnName("voter_id");
            e.Property(x => x.Address).HasColumnName("address");
            e.Property(x => x.Device).HasColumnName("device");
            e.Property(x => x.AccountCreatedAt).HasColumnName("account_created_at");
            e.Property(x => x.CastAt).HasColumnName("cast_at");
        });
        // Tables added after the first databases were made: AccountsSeeder creates them in older
        // databases with the same names and columns (AccountsSchema), EnsureCreated in new ones.
        builder.Entity<Audit.AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.At).HasColumnName("at");
            e.Property(x => x.ActorId).HasColumnName("actor_id");
            e.Property(x => x.ActorName).HasColumnName("actor_name");
            e.Property(x => x.Action).HasColumnName("action");
            e.Property(x => x.Target).HasColumnName("target");
            e.Property(x => x.Detail).HasColumnName("detail");
            e.Property(x => x.Address).HasColumnName("address");
            e.HasIndex(x => x.At).HasDatabaseName("ix_audit_log_at");
        });
        builder.Entity<Roster.RosterEntry>(e =>
        {
            e.ToTable("roster");
            e.HasKey(x => x.StudentNumber);
            e.Property(x => x.StudentNumber).HasColumnName("student_number");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.NameKey).HasColumnName("name_key");
            e.Property(x => x.ClassYear).HasColumnName("class_year");
            e.Property(x => x.School).HasColumnName("school");
            e.Property(x => x.Email).HasColumnName("email");
            e.Property(x => x.ClaimedBy).HasColumnName("claimed_by");
            e.Property(x => x.ClaimedAt).HasColumnName("claimed_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.HasIndex(x => x.ClaimedBy).HasDatabaseName("ix_roster_claimed_by");
        });
        builder.Entity<Roster.VerificationAttempt>(e =>
        {
            e.ToTable("verification_attempts");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.UserId).HasColumnName("user_id");
            e.Property(x => x.At).HasColumnName("at");
            e.Property(x => x.Succeeded).HasColumnName("succeeded");
            e.HasIndex(x => new { x.UserId, x.At }).HasDatabaseName("ix_verification_attempts_user");
        });
        builder.Entity<Companies.CompanyInvitation>(e =>
        {
            e.ToTable("company_invitations");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Company).HasColumnName("company");
            e.Property(x => x.Email).HasColumnName("email");
            e.Property(x => x.InvitedBy).HasColumnName("invited_by");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
            e.Property(x => x.UsedAt).HasColumnName("used_at");
            e.Property(x => x.UsedBy).HasColumnName("used_by");
        });
        builder.Entity<Companies.CompanyRep>(e =>
        {
            e.ToTable("company_reps");
            e.HasKey(x => new { x.UserId, x.Company });
            e.Property(x => x.UserId).HasColumnName("user_id");
            e.Property(x => x.Company).HasColumnName("company");
            e.Property(x => x.AddedAt).HasColumnName("added_at");
        });
    }
}
