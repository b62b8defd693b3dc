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

    /// <summary>The problem in English, for the HTTP API and logs: the same words the page shows ("roster.problem.{code}").</summary>
    public string Describe() => Describe(key => Localization.UiStrings.Table.TryGetValue(key, out var row) ? row.En : key, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The problem in the words <paramref name="text"/> gives for its key.</summary>
    public string Describe(Func<string, string> text, IFormatProvider culture) =>
        string.Format(culture, text("roster.problem." + Code), Line, Column ?? "", Other ?? "", RosterCsv.MaxLineBytes / 1024);
}

/// <summary>What an import did: nothing at all unless <see cref="Imported"/>. At most <see cref="RosterImporter.MaxProblemsListed"/> problems are listed; <see cref="ProblemCount"/> counts them all.</summary>
public sealed record RosterImportResult(bool Imported, long Rows, long Added, long Updated, IReadOnlyList<RosterProblem> Problems, long ProblemCount, double Seconds);
