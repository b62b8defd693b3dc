using System.Net;
using Events.Silo.Accounts;

namespace Events.Web.Accounts;

/// <summary>Hourly limits on registrations and account mail (configuration "RateLimits:Accounts").</summary>
public sealed class AccountRateLimits
{
    /// <summary>Accounts one client address may register in an hour (people behind one NAT share it).</summary>
    public int RegistrationsPerAddress { get; set; } = 10;

    /// <summary>Account mails (confirmation, reset, "already registered", roster link) one recipient may get in an hour.</summary>
    public int MailsPerRecipient { get; set; } = 5;

    /// <summary>Requests for a confirmation or reset mail one client address may make in an hour.</summary>
    public int MailRequestsPerAddress { get; set; } = 20;

    public void Validate()
    {
        if (RegistrationsPerAddress < 1 || MailsPerRecipient < 1 || MailRequestsPerAddress < 1)
        {
            throw new InvalidOperationException("Configuration 'RateLimits:Accounts' needs every limit >= 1.");
        }
    }
}

/// <summary>
/// The account limits, counted across the cluster. A recipient's limit is applied where mail is
/// sent, whether or not the address has an account, so it tells nothing; an address's limits
/// answer 429 (a page, or ProblemDetails with Retry-After).
/// </summary>
public sealed class AccountQuotas(IGrainFactory grains, AccountRateLimits limits)
{
    public Task<TimeSpan> RegisterAsync(IPAddress? address) => Take("register:" + Key(address), limits.RegistrationsPerAddress);

    public Task<TimeSpan> MailRequestAsync(IPAddress? address) => Take("mailrequest:" + Key(address), limits.MailRequestsPerAddress);

    public Task<TimeSpan> MailToAsync(string recipient) => Take("mailto:" + recipient.Trim().ToUpperInvariant(), limits.MailsPerRecipient);

    /// <summary>Whole minutes to tell a person, at least one.</summary>
    public static int Minutes(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));

    /// <summary>
    /// The address limits on the account API: <c>register</c>, <c>resendConfirmationEmail</c> and
    /// <c>forgotPassword</c> answer 429 with <c>Retry-After</c> when the address has used them up.
    /// </summary>
    public static async ValueTask<object?> FilterApiAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var quotas = http.RequestServices.GetRequiredService<AccountQuotas>();
        var address = http.Connection.RemoteIpAddress;
        var wait = context.Arguments.FirstOrDefault() switch
        {
            Microsoft.AspNetCore.Identity.Data.RegisterRequest => await quotas.RegisterAsync(address),
            Microsoft.AspNetCore.Identity.Data.ResendConfirmationEmailRequest or Microsoft.AspNetCore.Identity.Data.ForgotPasswordRequest => await quotas.MailRequestAsync(address),
            _ => TimeSpan.Zero,
        };
        if (wait <= TimeSpan.Zero)
        {
            return await next(context);
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "too_many_requests",
            detail: $"Too many registrations or account mails from this address within the hour; try again in {seconds} s.",
            type: "https://events.example/problems/too_many_requests");
    }

    private Task<TimeSpan> Take(string key, int limit) => grains.GetGrain<IHourlyQuotaGrain>(key).TryTakeAsync(limit);

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";
}
