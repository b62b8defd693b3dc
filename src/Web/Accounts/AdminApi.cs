using Events.Web.Live;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Events.Web.Accounts;

/// <summary>
/// Roles over HTTP for administrators' tools (docs/live-api.md, "Administration"). Bearer tokens
/// only: a browser's cookie is not accepted here, so another site cannot make a signed-in
/// administrator's browser change roles.
/// </summary>
public static class AdminApi
{
    public const string Policy = "AdministratorApi";

    public static void AddAdminApiPolicy(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder) =>
        builder.AddPolicy(Policy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireRole(Roles.Administrator));

    public static void MapAdminApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/admin/users").RequireAuthorization(Policy).WithTags("Administration");
        users.MapGet("", async (string? query, RoleAdministration roles) =>
            query is { Length: > 256 }
                ? StreamingApi.Problem(400, "invalid_argument", "'query' is at most 256 characters.")
                : TypedResults.Ok(await roles.FindAsync(query)));
        users.MapGet("/{userId}", async (string userId, RoleAdministration roles) =>
            await roles.GetAsync(userId) is { } member ? TypedResults.Ok(member) : UnknownUser(userId));
        users.MapPut("/{userId}/roles/{role}", (string userId, string role, HttpContext http, RoleAdministration roles) =>
            ChangeAsync(http, roles, userId, role, grant: true, confirmSelf: false));
        users.MapDelete("/{userId}/roles/{role}", (string userId, string role, bool? confirmSelf, HttpContext http, RoleAdministration roles) =>
            ChangeAsync(http, roles, userId, role, grant: false, confirmSelf ?? false));
    }

    private static async Task<IResult> ChangeAsync(HttpContext http, RoleAdministration roles, string userId, string role, bool grant, bool confirmSelf) =>
        await roles.ChangeAsync(http.User, userId, role, grant, confirmSelf) switch
        {
            null => TypedResults.Ok(await roles.GetAsync(userId)),
            RoleRefusal.UnknownRole => StreamingApi.Problem(400, "unknown_role", $"'{role}' is not a role; the roles are {string.Join(", ", Roles.All)}."),
            RoleRefusal.UnknownUser => UnknownUser(userId),
            RoleRefusal.LastAdministrator => StreamingApi.Problem(409, "last_administrator", "This is the only administrator; grant the role to someone else first."),
            _ => StreamingApi.Problem(409, "confirm_self", "Removing your own Administrator role needs '?confirmSelf=true'."),
        };

    private static IResult UnknownUser(string userId) => StreamingApi.Problem(404, "unknown_user", $"There is no account '{userId}'.");
}
