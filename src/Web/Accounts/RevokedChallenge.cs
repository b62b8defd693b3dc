using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Events.Web.Accounts;

/// <summary>
/// A credential that <see cref="MemberAccess"/> revoked (signed out everywhere, password changed)
/// still authenticates, then becomes anonymous; refused by a policy, it would be answered 403
/// "forbidden". It is answered as no credential is: 401 for the API, the sign-in page for pages.
/// </summary>
public sealed class RevokedChallenge : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated != true)
        {
            return policy.AuthenticationSchemes.Count == 0
                ? context.ChallengeAsync()
                : Task.WhenAll(policy.AuthenticationSchemes.Select(s => context.ChallengeAsync(s)));
        }
        return standard.HandleAsync(next, context, policy, authorizeResult);
    }
}
