using System.Security.Claims;
using Events.Web.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Events.Web.Benchmark;

/// <summary>
/// Mints bearer tokens for synthetic members so the load benchmark can authenticate hundreds of
/// thousands of voters through the real hub and bearer handler without creating accounts.
/// Mapped only when "Benchmark:Enabled" is true, which the host allows only in the "Benchmark"
/// environment and on a loopback address.
/// </summary>
public static class BenchmarkApi
{
    public sealed record TokenRequest(string Prefix, int From, int Count, string[]? Roles);

    public static IEndpointRouteBuilder MapBenchmarkApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/bench/tokens", Results<Ok<string[]>, ValidationProblem> (TokenRequest request, IOptionsMonitor<BearerTokenOptions> options, TimeProvider clock, HttpContext http) =>
        {
            if (request.Count is < 1 or > 100_000 || request.From < 0 || string.IsNullOrWhiteSpace(request.Prefix) || request.Prefix.Length > 20
                || (request.Roles ?? []).Any(r => !Roles.All.Contains(r)))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["request"] = ["prefix (1-20 chars), from >= 0, count 1-100000, roles from the known roles"] });
            }
            var protector = options.Get(IdentityConstants.BearerScheme).BearerTokenProtector;
            // The bearer handler checks expiry against the host's clock, the real one.
            var expires = clock.GetUtcNow().AddHours(8);
            var tokens = new string[request.Count];
            for (var i = 0; i < request.Count; i++)
            {
                var id = request.Prefix + (request.From + i);
                var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, id), new(ClaimTypes.Name, id), new(MemberClaimsFactory.DisplayNameClaim, id) };
                claims.AddRange((request.Roles ?? []).Select(r => new Claim(ClaimTypes.Role, r)));
                var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, IdentityConstants.BearerScheme)),
                    new AuthenticationProperties { ExpiresUtc = expires }, IdentityConstants.BearerScheme);
                tokens[i] = protector.Protect(ticket);
            }
            return TypedResults.Ok(tokens);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>Refuses a start that would expose the endpoint anywhere but a loopback benchmark.</summary>
    public static bool IsEnabled(WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>("Benchmark:Enabled"))
        {
            return false;
        }
        if (!builder.Environment.IsEnvironment("Benchmark"))
        {
            throw new InvalidOperationException("Configuration 'Benchmark:Enabled' is only allowed in the 'Benchmark' environment.");
        }
        // Kestrel endpoints from configuration bind too, whatever 'urls' says.
        var urls = (builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Concat(builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"] ?? ""));
        if (urls.FirstOrDefault(u => !IsLoopback(u)) is { } open)
        {
            throw new InvalidOperationException($"Configuration 'Benchmark:Enabled' needs every address the server binds on loopback (127.0.0.0/8, ::1, localhost); '{open}' is not.");
        }
        return true;
    }

    /// <summary>After start, the addresses actually bound: any other than loopback stops the server before it serves a token.</summary>
    public static void StopUnlessLoopback(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (bound.FirstOrDefault(a => !IsLoopback(a)) is { } open)
            {
                app.Logger.LogCritical("The benchmark API is on and the server is bound to {Address}, which is not loopback: stopping", open);
                app.Lifetime.StopApplication();
            }
        });
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var uri))
        {
            return false;
        }
        return uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}
