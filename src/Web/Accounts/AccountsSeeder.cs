using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Events.Web.Accounts;

/// <summary>
/// Creates the accounts database and the roles on start, and the first administrator from
/// configuration ("Admin:Email", "Admin:Password"). An administrator that cannot be created
/// (a password the rules refuse) stops the start with Identity's reasons.
/// </summary>
public sealed class AccountsSeeder(IServiceProvider services, IConfiguration configuration, ILogger<AccountsSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        if (db.Database.IsNpgsql())
        {
            // Nodes starting together take turns; the live store's tables share the database, so
            // EnsureCreated (which does nothing when any table exists) is replaced by CreateTables.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(724051)", cancellationToken);
            try
            {
                var exists = await db.Database.SqlQueryRaw<bool>("SELECT to_regclass('\"AspNetUsers\"') IS NOT NULL AS \"Value\"").SingleAsync(cancellationToken);
                if (!exists)
                {
                    await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken);
                }
                foreach (var statement in AccountsSchema.Postgres)
                {
                    await db.Database.ExecuteSqlRawAsync(statement, cancellationToken);
                }
                await SeedAsync(scope.ServiceProvider);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(724051)", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        await db.Database.EnsureCreatedAsync(cancellationToken);
        // WAL lets sign-ins read while a registration or a new signing key is written.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        // Added after the first databases were made, so created here rather than by EnsureCreated.
        foreach (var statement in AccountsSchema.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync(statement, cancellationToken);
        }
        foreach (var (table, column, definition) in AccountsSchema.SqliteColumns)
        {
            var present = await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM pragma_table_info({table}) WHERE name = {column}").SingleAsync(cancellationToken);
            if (present == 0)
            {
                // Names from the constant list above, not from input.
                var alter = "ALTER TABLE \"" + table + "\" ADD COLUMN " + column + " " + definition;
                await db.Database.ExecuteSqlRawAsync(alter, cancellationToken);
            }
        }
        await SeedAsync(scope.ServiceProvider);
    }

    private async Task SeedAsync(IServiceProvider scoped)
    {
        // Accounts made while Identity's lockout was on: sign-ins are throttled by SignInGate instead.
        var db = scoped.GetRequiredService<AccountsDbContext>();
        await db.Users.Where(u => u.LockoutEnabled).ExecuteUpdateAsync(u => u.SetProperty(m => m.LockoutEnabled, false).SetProperty(m => m.LockoutEnd, (DateTimeOffset?)null));
        var roleManager = scoped.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                await roleManager.CreateAsync(new IdentityRole(role));
            }
        }
        var email = configuration["Admin:Email"];
        var password = configuration["Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            return;
        }
        var users = scoped.GetRequiredService<UserManager<Member>>();
        var admin = await users.FindByEmailAsync(email);
        if (admin is null)
        {
            admin = new Member { UserName = email, Email = email, EmailConfirmed = true, DisplayName = configuration["Admin:DisplayName"] ?? "Admin" };
            var created = await users.CreateAsync(admin, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Configuration 'Admin:Password' is refused: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
            logger.LogInformation("Created the first administrator {Email}", email);
        }
        foreach (var role in new[] { Roles.Administrator, Roles.Organizer, Roles.Moderator })
        {
            if (!await users.IsInRoleAsync(admin, role))
            {
                await users.AddToRoleAsync(admin, role);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
