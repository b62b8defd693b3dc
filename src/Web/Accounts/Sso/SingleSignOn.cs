using System.Security.Claims;
using Events.Web.Accounts.Roster;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;

namespace Events.Web.Accounts.Sso;

/// <summary>How a sign-in through the university's provider came out.</summary>
public enum SsoOutcome
{
    SignedIn,

    /// <summary>The provider did not say the address is verified: it is not linked to an account, and no account is made.</summary>
    EmailNotVerified,

    /// <summary>The provider refused, the person cancelled, or the answer could not be read.</summary>
    Failed,
}

/// <summary>
/// Sign-in through the university's OpenID Connect provider (authorization code with PKCE). An
/// account links by the provider's <b>verified</b> email: the account with that address, or a new
/// one (confirmed at once). A local account whose address was never confirmed loses its password
/// when the provider proves the address, so whoever registered it without owning it cannot sign in.
/// When the provider says the person is a verified alumnus (<see cref="SsoSettings.VerifiedClaim"/>),
/// they are verified at once, with their roster row when the provider names their student number.
/// </summary>
public sealed class SingleSignOn(SsoSettings settings, SignInManager<Member> signIn, UserManager<Member> users, AlumniVerification verification)
{
    public const string Scheme = "sso";

    public const string CallbackPath = "/signin-sso";

    public static void Add(IServiceCollection services, SsoSettings settings)
    {
        services.AddSingleton(settings);
        services.AddScoped<SingleSignOn>();
        if (!settings.Enabled)
        {
            return;
        }
        services.AddAuthentication().AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.ResponseType = "code";
            // The answer comes back as a top-level GET, which carries the Lax correlation cookie.
            o.ResponseMode = "query";
            o.UsePkce = true;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.CallbackPath = CallbackPath;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.Scope.Clear();
            foreach (var scope in settings.EffectiveScopes)
            {
                o.Scope.Add(scope);
            }
            o.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            foreach (var claim in new[] { settings.VerifiedClaim, settings.StudentNumberClaim }.OfType<string>())
            {
                o.ClaimActions.MapUniqueJsonKey(claim, claim);
            }
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/account/sso/done?failed=1");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Finishes the sign-in the provider sent back: links or makes the account, signs it in, verifies when the provider says so.</summary>
    public async Task<SsoOutcome> CompleteAsync(string? address)
    {
        if (await signIn.GetExternalLoginInfoAsync() is not { } info)
        {
            return SsoOutcome.Failed;
        }
        var member = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
        if (member is null)
        {
            var email = info.Principal.FindFirstValue("email");
            if (string.IsNullOrWhiteSpace(email) || !IsTrue(info.Principal.FindFirstValue("email_verified")))
            {
                return SsoOutcome.EmailNotVerified;
            }
            member = await users.FindByEmailAsync(email);
            // A name the rules refuse (a staff title, invisible characters) is left out: "Member 1a2b3c" until changed.
            var given = info.Principal.FindFirstValue("name")?.Trim() ?? "";
            var name = DisplayNameRules.Check(given) is null ? given : "";
            if (member is null)
            {
                member = new Member { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
                Check(await users.CreateAsync(member));
            }
            else if (!member.EmailConfirmed)
            {
                // Registered but never confirmed: the provider proves who owns the address.
                if (await users.HasPasswordAsync(member))
                {
                    Check(await users.RemovePasswordAsync(member));
                }
                member.EmailConfirmed = true;
                // Nor is the name whoever registered it chose.
                member.DisplayName = name;
                Check(await users.UpdateAsync(member));
                Check(await users.UpdateSecurityStampAsync(member));
            }
            Check(await users.AddLoginAsync(member, new UserLoginInfo(info.LoginProvider, info.ProviderKey, info.ProviderDisplayName)));
        }
        await signIn.SignOutAsync();
        await signIn.SignInAsync(member, isPersistent: true, authenticationMethod: Scheme);
        if (settings.VerifiedClaim is { } verifiedClaim && IsTrue(info.Principal.FindFirstValue(verifiedClaim)))
        {
            var number = settings.StudentNumberClaim is { } numberClaim ? info.Principal.FindFirstValue(numberClaim) : null;
            await verification.ByProviderAsync(member, number, address);
        }
        return SsoOutcome.SignedIn;
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Linking the single sign-on account failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
