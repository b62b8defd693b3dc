using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

public sealed class RegisterModel(UserManager<Member> users, SignInManager<Member> signIn, UiText text) : PageModel
{
    [BindProperty, Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    [BindProperty, Required, StringLength(40, MinimumLength = 1)]
    public string DisplayName { get; set; } = "";

    [BindProperty, Required, StringLength(128, MinimumLength = 8)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            Errors = [text["account.registerinvalid"]];
            return Page();
        }
        if (!Silo.TextRules.IsClean(DisplayName) || DisplayName.Contains('\n') || DisplayName.Contains('\t'))
        {
            Errors = [text["account.registerinvalid"]];
            return Page();
        }
        var member = new Member { UserName = Email, Email = Email, DisplayName = DisplayName.Trim() };
        var created = await users.CreateAsync(member, Password);
        if (!created.Succeeded)
        {
            Errors = created.Errors.Select(e => e.Code switch
            {
                "DuplicateUserName" or "DuplicateEmail" => text["account.taken"],
                var c when c.StartsWith("Password", StringComparison.Ordinal) => text["account.weakpassword"],
                _ => e.Description,
            }).Distinct().ToArray();
            return Page();
        }
        await signIn.SignInAsync(member, isPersistent: true);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
