namespace Events.Web.Accounts;

public static class DisplayNames
{
    /// <summary>
    /// The chosen display name; accounts made without one (through the account API) show as
    /// "Member" and a short, stable tag from the account id, never any part of the email.
    /// </summary>
    public static string For(Member member) =>
        !string.IsNullOrWhiteSpace(member.DisplayName) ? member.DisplayName : "Member " + member.Id.Replace("-", "")[..6];
}
