namespace Events.Web.Accounts.Roster;

/// <summary>
/// Something wrong in a roster file, at a line (1 is the header). <see cref="Code"/> names it for
/// programs; pages say it in the reader's language ("roster.problem.{code}"); <see cref="Column"/>
/// and <see cref="Other"/> fill it in (a column's name, the other line of a duplicate).
/// </summary>
public sealed record RosterProblem(long Line, string Code, string? Column = null, string? Other = null)
{
    public const string NotUtf8 = "not_utf8";
    public const string Utf16 = "utf16";
    public const string Empty = "empty";
    public const string MissingColumn = "missing_column";
    public const string UnknownColumn = "unknown_column";
    public const string RepeatedColumn = "repeated_column";
    public const string FieldCount = "field_count";
    public const string TooLong = "too_long";
    public const string UnclosedQuote = "unclosed_quote";
    public const string BadStudentNumber = "student_number";
    public const string BadName = "name";
    public const string BadClassYear = "class_year";
    public const string BadSchool = "school";
    public const string BadEmail = "email";
    public const string Formula = "formula";
    public const string Duplicate = "duplicate";

    /// <summary>The problem in English, for the HTTP API and logs.</summary>
    public string Describe() => Code switch
    {
        NotUtf8 => $"Line {Line} is not UTF-8 text: save the file as \"CSV UTF-8\" and import it again.",
        Utf16 => "The file is UTF-16 text: save it as \"CSV UTF-8\" and import it again.",
        Empty => "The file is empty: its first line must name the columns.",
        MissingColumn => $"The header (line 1) has no column '{Column}'.",
        UnknownColumn => $"The header (line 1) names an unknown column '{Column}'.",
        RepeatedColumn => $"The header (line 1) names the column '{Column}' twice.",
        FieldCount => $"Line {Line} has {Other} fields; the header has {Column}.",
        TooLong => $"Line {Line} is longer than {RosterCsv.MaxLineBytes / 1024} KB.",
        UnclosedQuote => $"Line {Line} opens a quoted field that never closes.",
        BadStudentNumber => $"Line {Line}: the student number must be 1 to 32 letters, digits or '-'.",
        BadName => $"Line {Line}: the name must be 1 to 100 characters of text.",
        BadClassYear => $"Line {Line}: the class year must be a year from 1900 to {Other}.",
        BadSchool => $"Line {Line}: the school must be 1 to 100 characters of text.",
        BadEmail => $"Line {Line}: the email address is not an address.",
        Formula => $"Line {Line}: the {Column} starts like a spreadsheet formula (=, +, -, @).",
        Duplicate => $"Line {Line} repeats the student number of line {Other}.",
        _ => $"Line {Line}: {Code}.",
    };
}

/// <summary>What an import did: nothing at all unless <see cref="Imported"/>. At most <see cref="RosterImporter.MaxProblemsListed"/> problems are listed; <see cref="ProblemCount"/> counts them all.</summary>
public sealed record RosterImportResult(bool Imported, long Rows, long Added, long Updated, IReadOnlyList<RosterProblem> Problems, long ProblemCount, double Seconds);
