using Events.Web.Accounts.Mail;
using Events.Web.Accounts.Roster;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// Local accounts with ASP.NET Core Identity: cookies for pages, bearer tokens for other clients
    /// (POST /api/account/login); a bearer token may also come as <c>access_token</c> in the query
    /// string of the hub, because browsers and mini-programs cannot set headers on WebSockets.
    /// </summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        if (string.Equals(configuration["Store:Provider"], "postgres", StringComparison.OrdinalIgnoreCase))
        {
            services.AddDbContext<AccountsDbContext>(o => o.UseNpgsql(configuration["Store:Postgres:ConnectionString"]));
        }
        else
        {
            services.AddDbContext<AccountsDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "accounts.db")};Default Timeout=30"));
        }
        // The seeder creates the tables, the key ring's among them: it must start before Data
        // Protection's own hosted service reads the key ring, so it is registered first.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, AccountsSeeder>());
        services.AddDataProtection().SetApplicationName("alumni-live").PersistKeysToDbContext<AccountsDbContext>();
        services.AddIdentityApiEndpoints<Member>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                // No lockout: a stranger could lock anyone out with wrong passwords. SignInGate
                // slows repeated failures down by account and by address instead.
                o.Lockout.AllowedForNewUsers = false;
                // One real person: an address is confirmed by a link mailed to it before it signs in.
                o.SignIn.RequireConfirmedEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddClaimsPrincipalFactory<MemberClaimsFactory>();
        // Cookies are checked against the account (stamp, roles) every minute, not every 30.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddSingleton<SignInGate>();
        services.AddSingleton<AccountQuotas>();
        services.AddSingleton<MemberAccess>();
        services.AddHostedService(sp => sp.GetRequiredService<MemberAccess>());
        services.AddSingleton<IClaimsTransformation, MemberAccessClaims>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RevokedChallenge>();
        services.AddMail(configuration, dataDirectory);
        services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o =>
        {
            o.BearerTokenExpiration = TimeSpan.FromHours(8);
            o.Events.OnMessageReceived = context =>
            {
                if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"] is [{ Length: > 0 } token])
                {
                    context.Token = token;
                }
                return Task.CompletedTask;
            };
        });
        // Secure over HTTPS (also behind a trusted proxy that says so), like the sign-in cookie.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
            // Redirects to the sign-in and "no access" pages stay on this site: the handler builds
            // them from the request's Host header, which a client chooses ("Host: evil.example").
            o.Events.OnRedirectToLogin = context => RedirectLocally(context);
            o.Events.OnRedirectToAccessDenied = context => RedirectLocally(context);
            o.Events.OnRedirectToLogout = context => RedirectLocally(context);
            o.Events.OnRedirectToReturnUrl = context => RedirectLocally(context);
        });
        // Administration pages are for browsers: they authenticate with the sign-in cookie, so an
        // anonymous visitor is sent to the sign-in page rather than answered 401.
        services.AddAuthorizationBuilder().AddPolicy(Roles.Administrator, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireRole(Roles.Administrator))
            .AddAdminApiPolicy();
        services.AddAuthorizationBuilder().AddOrganizerPolicies();
        services.AddScoped<RoleAdministration>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<Roster.RosterImporter>();
        services.AddScoped<Roster.AlumniVerification>();
        services.AddScoped<AccountData>();
        services.AddScoped<Companies.CompanyRepresentatives>();
        services.AddScoped<Fair.Applications.Applications>();
        services.AddScoped<Fair.FairFigures>();
        var sso = new Sso.SsoSettings();
        configuration.GetSection("Sso").Bind(sso, o => o.ErrorOnUnknownConfiguration = true);
        sso.Validate();
        Sso.SingleSignOn.Add(services, sso);
        return services;
    }

    private static Task RedirectLocally(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context)
    {
        var target = Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri;
        context.Response.Redirect(target.StartsWith('/') && !target.StartsWith("//") ? target : "/");
        return Task.CompletedTask;
    }

    private static void AddMail(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var settings = new MailSettings();
        configuration.GetSection("Mail").Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
        settings.Validate();
        services.AddSingleton(settings);
        if (settings.Provider == MailProvider.Smtp)
        {
            services.AddSingleton<IMailer>(new SmtpMailer(settings.Smtp));
        }
        else
        {
            var folder = Path.GetFullPath(settings.Folder.Path ?? Path.Combine(dataDirectory, "mail"));
            services.AddSingleton<IMailer>(sp => new FolderMailer(folder, sp.GetRequiredService<TimeProvider>()));
        }
        services.AddSingleton<PublicAddress>();
        services.AddSingleton<AccountMail>();
        services.AddSingleton<IEmailSender<Member>, IdentityMailSender>();
    }
}
