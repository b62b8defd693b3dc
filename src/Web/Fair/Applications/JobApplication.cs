namespace Events.Web.Fair.Applications;

/// <summary>Where an application stands, as the company moves it and the student sees it.</summary>
public static class ApplicationStatus
{
    public const string Received = "received";
    public const string Interview = "interview";
    public const string Offer = "offer";
    public const string Declined = "declined";

    public static readonly string[] All = [Received, Interview, Offer, Declined];
}

/// <summary>
/// A student's application to one position of a company's booth, with the PDF resume sent (a blob
/// under <c>resumes/</c>, readable only by the student and the company's representatives). One per
/// student and position.
/// </summary>
public sealed class JobApplication
{
    public string Id { get; set; } = "";

    public string Fair { get; set; } = "";

    public string Company { get; set; } = "";

    public string Position { get; set; } = "";

    public string StudentId { get; set; } = "";

    /// <summary>The student's words to the company, at most <see cref="Applications.MostMessage"/> characters.</summary>
    public string Message { get; set; } = "";

    /// <summary>The blob's path in the store.</summary>
    public string Resume { get; set; } = "";

    /// <summary>The file's name as the student's computer called it (cleaned), for the download.</summary>
    public string ResumeName { get; set; } = "";

    public long ResumeBytes { get; set; }

    public string Status { get; set; } = ApplicationStatus.Received;

    /// <summary>The company's note to the student with the latest status.</summary>
    public string? Note { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }
}
