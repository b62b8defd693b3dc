using System.Text.Json;
using Events.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>GET /account/data: everything the platform holds on the signed-in member, as a JSON file.</summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class DataModel(UserManager<Member> users, AccountData data, TimeProvider clock) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Names and messages in Chinese stay readable in the file.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return Challenge();
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(await data.ExportAsync(member), Indented);
        Response.Headers.CacheControl = "no-store";
        return File(bytes, "application/json; charset=utf-8", $"alumni-live-my-data-{clock.GetUtcNow():yyyy-MM-dd}.json");
    }
}
