using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

/// <summary>
/// The page a person meets on an error (400, 403, 404, 405, 413, 429, 500, 503...), in their
/// language, instead of an empty or JSON answer. Programs keep ProblemDetails (<see cref="ErrorPages"/>).
/// </summary>
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }

    public void OnGet(int code) => Show(code);

    public void OnPost(int code) => Show(code);

    private void Show(int code)
    {
        Code = code is >= 400 and <= 599 ? code : 404;
        Response.StatusCode = Code;
    }

    /// <summary>The text key for the code: a few have their own words, the rest share their class's.</summary>
    public string Key => Code switch
    {
        400 or 403 or 404 or 413 or 429 or 503 => "error." + Code,
        >= 500 => "error.500",
        _ => "error.400",
    };
}
