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

    public DbSet<Companies.ProjectInterest> ProjectInterests => Set<Companies.ProjectInterest>();

    public DbSet<Companies.ProjectTeamMember> ProjectTeam => Set<Companies.ProjectTeamMember>();

    public DbSet<Fair.Applications.JobApplication> JobApplications => Set<Fair.Applications.JobApplication>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Member>().Property(m => m.DisplayName).HasMaxLength(40);
        builder.Entity<Member>().Property(m => m.CreatedAt).HasColumnName("created_at").HasDefaultValue(0L);
        builder.Entity<Live.VoteSignal>(e =>
        {
            e.ToTable("vote_signals");
            SnakeCaseColumns(e);
            e.HasKey(x => new { x.RoundId, x.VoterId });
        });
        // Tables added after the first databases were made: AccountsSeeder creates them in older
        // databases with the same names and columns (AccountsSchema), EnsureCreated in new ones.
        builder.Entity<Audit.AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            SnakeCaseColumns(e);
            e.HasIndex(x => x.At).HasDatabaseName("ix_audit_log_at");
        });
        builder.Entity<Roster.RosterEntry>(e =>
        {
            e.ToTable("roster");
            SnakeCaseColumns(e);
            e.HasKey(x => x.StudentNumber);
            e.HasIndex(x => x.ClaimedBy).HasDatabaseName("ix_roster_claimed_by");
        });
        builder.Entity<Roster.VerificationAttempt>(e =>
        {
            e.ToTable("verification_attempts");
            SnakeCaseColumns(e);
            e.HasIndex(x => new { x.UserId, x.At }).HasDatabaseName("ix_verification_attempts_user");
        });
        builder.Entity<Companies.CompanyInvitation>(e =>
        {
            e.ToTable("company_invitations");
            SnakeCaseColumns(e);
        });
        builder.Entity<Companies.CompanyRep>(e =>
        {
            e.ToTable("company_reps");
            SnakeCaseColumns(e);
            e.HasKey(x => new { x.UserId, x.Company });
        });
        builder.Entity<Fair.Applications.JobApplication>(e =>
        {
            e.ToTable("job_applications");
            SnakeCaseColumns(e);
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.StudentId, x.Company, x.Position }).IsUnique().HasDatabaseName("ix_job_applications_student_position");
            e.HasIndex(x => x.Company).HasDatabaseName("ix_job_applications_company");
        });
        builder.Entity<Companies.ProjectInterest>(e =>
        {
            e.ToTable("project_interests");
            SnakeCaseColumns(e);
            e.HasKey(x => new { x.Project, x.InvestorId });
        });
        builder.Entity<Companies.ProjectTeamMember>(e =>
        {
            e.ToTable("project_team");
            SnakeCaseColumns(e);
            e.HasKey(x => new { x.UserId, x.Project });
        });
    }

    /// <summary>Column names of the platform's own tables: each property's name in snake case (RoundId, round_id), as AccountsSchema creates them.</summary>
    private static void SnakeCaseColumns(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder entity)
    {
        foreach (var property in entity.Metadata.GetProperties())
        {
            property.SetColumnName(string.Concat(property.Name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString())));
        }
    }
}
