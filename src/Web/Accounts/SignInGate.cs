using System.Net;
using Events.Silo.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;

namespace Events.Web.Accounts;

/// <summary>
/// Throttles password sign-ins, on the pages and the account API alike, by account and by
/// address (<see cref="ISignInThrottleGrain"/>), instead of Identity's lockout, which let any
/// stranger lock an account (the administrator's too) for 5 minutes with ten wrong passwords.
/// The throttle is by the address typed, whether or not it has an account, so it tells nothing.
/// </summary>
public sealed class SignInGate(IGrainFactory grains)
{
    private ISignInThrottleGrain Account(string email) => grains.GetGrain<ISignInThrottleGrain>("account:" + email.Trim().ToUpperInvariant());

    private ISignInThrottleGrain Address(IPAddress? address) => grains.GetGrain<ISignInThrottleGrain>("address:" + (address?.ToString() ?? "unknown"));

    /// <summary>How long this attempt must wait before a password is checked at all; zero when it may go ahead.</summary>
    public async Task<TimeSpan> WaitAsync(string email, IPAddress? address)
    {
        var waits = await Task.WhenAll(Account(email).WaitAsync(), Address(address).WaitAsync());
        return waits.Max();
    }

    public Task FailedAsync(string email, IPAddress? address) => Task.WhenAll(Account(email).FailedAsync(), Address(address).FailedAsync());

    public Task SucceededAsync(string email) => Account(email).SucceededAsync();

    private static readonly Member Unknown = new();

    /// <summary>Made by this host's hasher, so checking it costs what a real check costs here (a hash carries its own work factor).</summary>
    private string? unknownHash;

    /// <summary>
    /// For an address with no account: the work of checking a password, so the answer takes as
    /// long as a wrong password for a real account and timing tells nothing.
    /// </summary>
    public void CheckAsIfKnown(IPasswordHasher<Member> hasher, string? password)
    {
        unknownHash ??= hasher.HashPassword(Unknown, Guid.NewGuid().ToString());
        hasher.VerifyHashedPassword(Unknown, unknownHash, password ?? "");
    }

    /// <summary>Whole seconds to show or send in <c>Retry-After</c>, at least one.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>The same throttle on <c>POST /api/account/login</c>: a wait answers 429 with <c>Retry-After</c>.</summary>
    public static async ValueTask<object?> FilterApiLoginAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<LoginRequest>().FirstOrDefault() is not { Email: { Length: > 0 } email })
        {
            return await next(context);
        }
        var http = context.HttpContext;
        var gate = http.RequestServices.GetRequiredService<SignInGate>();
        var address = http.Connection.RemoteIpAddress;
        var wait = await gate.WaitAsync(email, address);
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "too_many_attempts",
                detail: $"Too many failed sign-ins for this account or from this address; try again in {Seconds(wait)} s.",
                type: "https://events.example/problems/too_many_attempts");
        }
        // Identity answers an unknown address without checking any password (13 times faster than
        // a wrong one); the same work here makes both answers take as long.
        var users = http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Member>>();
        if (await users.FindByEmailAsync(email) is null)
        {
            gate.CheckAsIfKnown(users.PasswordHasher, context.Arguments.OfType<LoginRequest>().First().Password);
        }
        var result = await next(context);
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        if (inner is ProblemHttpResult)
        {
            await gate.FailedAsync(email, address);
        }
        else
        {
            await gate.SucceededAsync(email);
        }
        return result;
    }
}
