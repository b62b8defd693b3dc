using Microsoft.AspNetCore.Identity;

namespace Events.Web.Accounts;

/// <summary>A person with a local account. The name others see in chat is <see cref="DisplayName"/>, never the email.</summary>
public sealed class Member : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>Unix milliseconds of the registration; 0 for accounts made before it was recorded. A signal for vote anomalies.</summary>
    public long CreatedAt { get; set; }
}
