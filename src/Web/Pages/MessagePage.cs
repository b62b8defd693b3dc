using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

/// <summary>A page that answers a form with one message: an error (HTTP 422, the form shown again) or a confirmation.</summary>
public abstract class MessagePage : PageModel
{
    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    protected IActionResult Say(string message, bool error)
    {
        Message = message;
        MessageIsError = error;
        if (error)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Page();
    }
}
