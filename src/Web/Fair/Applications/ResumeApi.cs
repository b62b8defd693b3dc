using Events.Streaming.Blobs;
using Events.Web.Localization;

namespace Events.Web.Fair.Applications;

/// <summary>
/// <c>GET /fair/resumes/{application}?t=...</c>: the resume, for the signed-in person the link was
/// made for (the student, or a representative of the company), within 15 minutes of the page that
/// made it. Sent as an attachment, never cached, never sniffed as anything but a PDF.
/// </summary>
public static class ResumeApi
{
    public static void MapResumes(this WebApplication app) =>
        app.MapGet("/fair/resumes/{application}", async (string application, string? t, HttpContext http, Applications applications, IBlobStore blobs, UiText text) =>
        {
            var user = Accounts.CallerFactory.From(http.User).UserId;
            var (access, found) = await applications.CheckLinkAsync(application, t, user);
            switch (access)
            {
                case Applications.Access.Expired:
                    return Results.Problem(text["fair.link.expired"], statusCode: StatusCodes.Status410Gone, title: "link_expired");
                case Applications.Access.Denied:
                    return user is null ? Results.Challenge() : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "forbidden");
                case Applications.Access.Missing:
                    return Results.NotFound();
            }
            var blob = await blobs.OpenAsync(found!.Resume, http.RequestAborted);
            if (blob is null)
            {
                return Results.NotFound();
            }
            http.Response.Headers.CacheControl = "private, no-store";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "sandbox";
            return Results.Stream(blob.Content, "application/pdf", found.ResumeName);
        });
}
