using Events.Web.Accounts;
using Events.Web.Accounts.Roster;
using Events.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>
/// A member proves they are an alumnus: by the student number, name and class year the alumni
/// office has for them, or by a link mailed to the address the office has. Verified alumni may
/// vote in rounds for verified alumni only.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class VerifyModel(AlumniVerification verification, UserManager<Member> users, UiText text) : MessagePage
{
    [BindProperty]
    public string StudentNumber { get; set; } = "";

    [BindProperty]
    public string Name { get; set; } = "";

    [BindProperty]
    public string ClassYear { get; set; } = "";

    public bool IsVerified { get; private set; }

    public RosterEntry? Claim { get; private set; }

    public int AttemptsLeft { get; private set; }


    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Challenge();

    public async Task<IActionResult> OnPostMatchAsync()
    {
        if (!await LoadAsync())
        {
            return Challenge();
        }
        if (IsVerified)
        {
            return Page();
        }
        if (StudentNumber.Trim().Length is 0 or > 32 || Name.Trim().Length is 0 or > 100 || !int.TryParse(ClassYear.Trim(), out var year))
        {
            return Say(text["verify.fillin"], error: true);
        }
        var outcome = await verification.MatchAsync(User, Address, StudentNumber, Name, year);
        return await AfterAsync(outcome);
    }

    public async Task<IActionResult> OnPostLinkAsync()
    {
        if (!await LoadAsync())
        {
            return Challenge();
        }
        if (IsVerified)
        {
            return Page();
        }
        if (StudentNumber.Trim().Length is 0 or > 32)
        {
            return Say(text["verify.fillnumber"], error: true);
        }
        return await AfterAsync(await verification.SendLinkAsync(User, Address, StudentNumber));
    }

    private string? Address => HttpContext.Connection.RemoteIpAddress?.ToString();

    private async Task<IActionResult> AfterAsync(VerifyOutcome outcome)
    {
        await LoadAsync();
        return outcome switch
        {
            VerifyOutcome.Verified or VerifyOutcome.AlreadyVerified => Say(text["verify.done"], error: false),
            VerifyOutcome.NoMatch => Say(text.Format("verify.nomatch", AttemptsLeft), error: true),
            VerifyOutcome.Claimed => Say(text["verify.claimed"], error: true),
            VerifyOutcome.TooManyAttempts => Say(text["verify.toomany"], error: true),
            VerifyOutcome.LinkSent => Say(text["verify.linksent"], error: false),
            _ => Challenge(),
        };
    }


    private async Task<bool> LoadAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return false;
        }
        IsVerified = await users.IsInRoleAsync(member, Roles.Verified);
        Claim = await verification.ClaimOfAsync(member.Id);
        AttemptsLeft = await verification.AttemptsLeftAsync(member.Id);
        return true;
    }
}
