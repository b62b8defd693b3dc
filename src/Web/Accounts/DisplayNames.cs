namespace Events.Web.Accounts;

public static class DisplayNames
{
    /// <summary>The chosen display name, or the part of the email before the @ for accounts made without one.</summary>
    public static string For(Member member) =>
        !string.IsNullOrWhiteSpace(member.DisplayName) ? member.DisplayName
        : (member.Email ?? member.UserName ?? "member").Split('@')[0];
}
