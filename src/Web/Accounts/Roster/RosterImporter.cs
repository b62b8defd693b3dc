using System.Data.Common;
using System.Diagnostics;
using Events.Silo;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Events.Web.Accounts.Roster;

/// <summary>
/// Imports the alumni roster from CSV (docs/live-api.md, "Roster"): read as a stream into a
/// temporary table of the accounts database, checked row by row, then merged into <c>roster</c>
/// in one transaction, or not at all when any row is wrong. A student number already in the
/// roster is updated (name, class year, school, email) and keeps its claim; numbers missing from
/// the file stay, so a roster may come school by school.
/// </summary>
public sealed class RosterImporter(IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int MaxProblemsListed = 100;

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["student_number"] = Column.StudentNumber, ["studentnumber"] = Column.StudentNumber, ["student_no"] = Column.StudentNumber, ["学号"] = Column.StudentNumber,
        ["name"] = Column.Name, ["姓名"] = Column.Name,
        ["class_year"] = Column.ClassYear, ["classyear"] = Column.ClassYear, ["class"] = Column.ClassYear, ["届别"] = Column.ClassYear, ["届"] = Column.ClassYear, ["毕业年份"] = Column.ClassYear,
        ["school"] = Column.School, ["学院"] = Column.School, ["院系"] = Column.School,
        ["email"] = Column.Email, ["e-mail"] = Column.Email, ["邮箱"] = Column.Email, ["电子邮箱"] = Column.Email, ["电子邮件"] = Column.Email,
    };

    private static class Column
    {
        public const string StudentNumber = "student_number";
        public const string Name = "name";
        public const string ClassYear = "class_year";
        public const string School = "school";
        public const string Email = "email";
    }

    public async Task<RosterImportResult> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var problems = new List<RosterProblem>();
        long problemCount = 0;
        void Report(RosterProblem problem)
        {
            problemCount++;
            if (problems.Count < MaxProblemsListed)
            {
                problems.Add(problem);
            }
        }
        // Duplicates PostgreSQL finds at the end are listed in line order with the rest.
        RosterImportResult Refused() => new(false, 0, 0, 0, problems.OrderBy(p => p.Line).ToList(), problemCount, watch.Elapsed.TotalSeconds);

        var reader = new RosterCsv(csv);
        var (header, headerProblem) = await reader.ReadAsync(cancellationToken);
        if (reader.Fatal is { } fatal)
        {
            Report(fatal);
            return Refused();
        }
        if (headerProblem is not null || header is null)
        {
            Report(headerProblem ?? new RosterProblem(1, RosterProblem.Empty));
            return Refused();
        }
        var columns = ReadHeader(header.Value, Report);
        if (columns is null)
        {
            return Refused();
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var sink = db.Database.GetDbConnection() is NpgsqlConnection pg
                ? (IRosterSink)await PostgresSink.StartAsync(pg, cancellationToken)
                : await SqliteSink.StartAsync((SqliteConnection)db.Database.GetDbConnection(), cancellationToken);
            var maxYear = clock.GetUtcNow().Year + 10;
            long rows = 0;
            while (true)
            {
                var (record, problem) = await reader.ReadAsync(cancellationToken);
                if (problem is not null)
                {
                    Report(problem);
                    continue;
                }
                if (record is null)
                {
                    break;
                }
                if (Check(record.Value, columns, maxYear, Report) is not { } row)
                {
                    continue;
                }
                rows++;
                if (await sink.AddAsync(row, cancellationToken) is { } firstLine)
                {
                    Report(new RosterProblem(row.Line, RosterProblem.Duplicate, Other: firstLine.ToString()));
                }
            }
            if (reader.Fatal is { } late)
            {
                Report(late);
            }
            foreach (var duplicate in await sink.DuplicatesAsync(MaxProblemsListed, cancellationToken))
            {
                Report(new RosterProblem(duplicate.Line, RosterProblem.Duplicate, Other: duplicate.FirstLine.ToString()));
            }
            if (problemCount > 0)
            {
                return Refused();
            }
            var (added, updated) = await sink.MergeAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            return new RosterImportResult(true, rows, added, updated, [], 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static int[]? ReadHeader(CsvRecord header, Action<RosterProblem> report)
    {
        // columns[i] = which field of a row holds column i (StudentNumber, Name, ClassYear, School, Email), -1 when absent.
        var names = new[] { Column.StudentNumber, Column.Name, Column.ClassYear, Column.School, Column.Email };
        var at = new int[names.Length];
        Array.Fill(at, -1);
        var ok = true;
        for (var i = 0; i < header.Fields.Length; i++)
        {
            var raw = header.Fields[i].Trim();
            var key = raw.ToLowerInvariant().Replace(' ', '_');
            if (!Aliases.TryGetValue(key, out var column))
            {
                report(new RosterProblem(1, RosterProblem.UnknownColumn, raw));
                ok = false;
                continue;
            }
            var index = Array.IndexOf(names, column);
            if (at[index] >= 0)
            {
                report(new RosterProblem(1, RosterProblem.RepeatedColumn, raw));
                ok = false;
            }
            at[index] = i;
        }
        for (var i = 0; i < 4; i++)
        {
            if (at[i] < 0)
            {
                report(new RosterProblem(1, RosterProblem.MissingColumn, names[i]));
                ok = false;
            }
        }
        return ok ? [.. at, header.Fields.Length] : null;
    }

    private static RosterRow? Check(CsvRecord record, int[] columns, int maxYear, Action<RosterProblem> report)
    {
        var line = record.Line;
        var fields = record.Fields;
        if (fields.Length != columns[5])
        {
            report(new RosterProblem(line, RosterProblem.FieldCount, columns[5].ToString(), fields.Length.ToString()));
            return null;
        }
        var ok = true;
        var number = RosterNames.Number(fields[columns[0]]);
        if (number.Length is 0 or > 32 || !number.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            report(new RosterProblem(line, RosterProblem.BadStudentNumber));
            ok = false;
        }
        var name = fields[columns[1]].Trim();
        ok &= CheckText(line, name, RosterProblem.BadName, Column.Name, report);
        var yearText = fields[columns[2]].Trim();
        if (!int.TryParse(yearText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year) || year < 1900 || year > maxYear)
        {
            report(new RosterProblem(line, RosterProblem.BadClassYear, Other: maxYear.ToString()));
            ok = false;
        }
        var school = fields[columns[3]].Trim();
        ok &= CheckText(line, school, RosterProblem.BadSchool, Column.School, report);
        string? email = null;
        if (columns[4] >= 0 && fields[columns[4]].Trim() is { Length: > 0 } given)
        {
            if (!IsEmail(given))
            {
                report(new RosterProblem(line, RosterProblem.BadEmail));
                ok = false;
            }
            email = given;
        }
        return ok ? new RosterRow(line, number, name, RosterNames.Key(name), year, school, email) : null;
    }

    private static bool CheckText(long line, string text, string code, string column, Action<RosterProblem> report)
    {
        if (text.Length is 0 or > 100 || !TextRules.IsClean(text) || text.Contains('\n') || text.Contains('\r') || text.Contains('\t'))
        {
            report(new RosterProblem(line, code));
            return false;
        }
        // A name that a spreadsheet would run when the roster is opened again ("=HYPERLINK(...)").
        if (text[0] is '=' or '+' or '-' or '@')
        {
            report(new RosterProblem(line, RosterProblem.Formula, column));
            return false;
        }
        return true;
    }

    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        return text.Length <= 254 && at > 0 && at == text.LastIndexOf('@') && at < text.Length - 3 && text.IndexOf('.', at) > at + 1
            && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';' or '"');
    }

    private readonly record struct RosterRow(long Line, string StudentNumber, string Name, string NameKey, int ClassYear, string School, string? Email);

    private readonly record struct DuplicateLine(long Line, long FirstLine);

    private interface IRosterSink : IAsyncDisposable
    {
        /// <summary>Stages a row; returns the line that already holds its student number, when the sink can tell at once.</summary>
        ValueTask<long?> AddAsync(RosterRow row, CancellationToken cancellationToken);

        /// <summary>Duplicates the sink finds only at the end.</summary>
        Task<IReadOnlyList<DuplicateLine>> DuplicatesAsync(int max, CancellationToken cancellationToken);

        Task<(long Added, long Updated)> MergeAsync(long now, CancellationToken cancellationToken);
    }

    /// <summary>SQLite: a temporary table keyed by student number (a duplicate is seen as it is staged), merged in one write transaction.</summary>
    private sealed class SqliteSink : IRosterSink
    {
        private readonly SqliteConnection connection;
        private readonly SqliteCommand insert;
        private readonly SqliteCommand firstLine;
        private SqliteTransaction? staging;
        private int staged;

        private SqliteSink(SqliteConnection connection)
        {
            this.connection = connection;
            insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO temp.roster_import VALUES ($line, $number, $name, $key, $year, $school, $email) ON CONFLICT(student_number) DO NOTHING";
            foreach (var p in new[] { "$line", "$number", "$name", "$key", "$year", "$school", "$email" })
            {
                insert.Parameters.Add(new SqliteParameter { ParameterName = p });
            }
            firstLine = connection.CreateCommand();
            firstLine.CommandText = "SELECT line FROM temp.roster_import WHERE student_number = $number";
            firstLine.Parameters.Add(new SqliteParameter { ParameterName = "$number" });
        }

        public static async Task<SqliteSink> StartAsync(SqliteConnection connection, CancellationToken cancellationToken)
        {
            await using (var create = connection.CreateCommand())
            {
                create.CommandText = """
                    DROP TABLE IF EXISTS temp.roster_import;
                    CREATE TEMP TABLE roster_import (line INTEGER NOT NULL, student_number TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL, class_year INTEGER NOT NULL, school TEXT NOT NULL, email TEXT NULL);
                    """;
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            return new SqliteSink(connection);
        }

        public async ValueTask<long?> AddAsync(RosterRow row, CancellationToken cancellationToken)
        {
            // Staged rows go in transactions of 10,000 (a transaction per row would sync per row);
            // the temporary table is this connection's alone, so nobody waits on them.
            staging ??= connection.BeginTransaction();
            insert.Transaction = staging;
            firstLine.Transaction = staging;
            insert.Parameters[0].Value = row.Line;
            insert.Parameters[1].Value = row.StudentNumber;
            insert.Parameters[2].Value = row.Name;
            insert.Parameters[3].Value = row.NameKey;
            insert.Parameters[4].Value = row.ClassYear;
            insert.Parameters[5].Value = row.School;
            insert.Parameters[6].Value = (object?)row.Email ?? DBNull.Value;
            long? duplicateOf = null;
            if (insert.ExecuteNonQuery() == 0)
            {
                firstLine.Parameters[0].Value = row.StudentNumber;
                duplicateOf = Convert.ToInt64(firstLine.ExecuteScalar());
            }
            if (++staged % 10_000 == 0)
            {
                await staging.CommitAsync(cancellationToken);
                staging = null;
            }
            return duplicateOf;
        }

        public Task<IReadOnlyList<DuplicateLine>> DuplicatesAsync(int max, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<DuplicateLine>>([]);

        public async Task<(long Added, long Updated)> MergeAsync(long now, CancellationToken cancellationToken)
        {
            if (staging is not null)
            {
                await staging.CommitAsync(cancellationToken);
                staging = null;
            }
            await using var merge = connection.BeginTransaction(deferred: false);
            await using var command = connection.CreateCommand();
            command.Transaction = merge;
            command.CommandText = "SELECT count(*) FROM temp.roster_import i WHERE EXISTS (SELECT 1 FROM main.roster r WHERE r.student_number = i.student_number)";
            var updated = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
            command.CommandText = """
                INSERT INTO main.roster (student_number, name, name_key, class_year, school, email, claimed_by, claimed_at, updated_at)
                SELECT student_number, name, name_key, class_year, school, email, NULL, NULL, $now FROM temp.roster_import WHERE true
                ON CONFLICT(student_number) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, class_year = excluded.class_year,
                    school = excluded.school, email = excluded.email, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue("$now", now);
            var written = await command.ExecuteNonQueryAsync(cancellationToken);
            await merge.CommitAsync(cancellationToken);
            return (written - updated, updated);
        }

        public async ValueTask DisposeAsync()
        {
            if (staging is not null)
            {
                await staging.RollbackAsync();
            }
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE IF EXISTS temp.roster_import";
            await drop.ExecuteNonQueryAsync();
            await insert.DisposeAsync();
            await firstLine.DisposeAsync();
        }
    }

    /// <summary>PostgreSQL: rows streamed with binary COPY into a temporary table, duplicates found by one query, merged in the same transaction.</summary>
    private sealed class PostgresSink : IRosterSink
    {
        private readonly NpgsqlConnection connection;
        private readonly NpgsqlTransaction transaction;
        private NpgsqlBinaryImporter? copy;

        private PostgresSink(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBinaryImporter copy)
        {
            this.connection = connection;
            this.transaction = transaction;
            this.copy = copy;
        }

        public static async Task<PostgresSink> StartAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var create = new NpgsqlCommand(
                "CREATE TEMP TABLE roster_import (line BIGINT NOT NULL, student_number TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, class_year INTEGER NOT NULL, school TEXT NOT NULL, email TEXT NULL) ON COMMIT DROP",
                connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            var copy = await connection.BeginBinaryImportAsync("COPY roster_import (line, student_number, name, name_key, class_year, school, email) FROM STDIN (FORMAT BINARY)", cancellationToken);
            return new PostgresSink(connection, transaction, copy);
        }

        public async ValueTask<long?> AddAsync(RosterRow row, CancellationToken cancellationToken)
        {
            await copy!.StartRowAsync(cancellationToken);
            await copy.WriteAsync(row.Line, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(row.StudentNumber, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(row.Name, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(row.NameKey, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(row.ClassYear, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(row.School, NpgsqlDbType.Text, cancellationToken);
            if (row.Email is null)
            {
                await copy.WriteNullAsync(cancellationToken);
            }
            else
            {
                await copy.WriteAsync(row.Email, NpgsqlDbType.Text, cancellationToken);
            }
            return null;
        }

        public async Task<IReadOnlyList<DuplicateLine>> DuplicatesAsync(int max, CancellationToken cancellationToken)
        {
            await copy!.CompleteAsync(cancellationToken);
            await copy.DisposeAsync();
            copy = null;
            await using var command = new NpgsqlCommand("""
                SELECT line, first FROM (
                    SELECT line, min(line) OVER (PARTITION BY student_number) AS first FROM roster_import) lines
                WHERE line <> first ORDER BY line LIMIT $1
                """, connection, transaction);
            command.Parameters.AddWithValue(max);
            var found = new List<DuplicateLine>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(new DuplicateLine(reader.GetInt64(0), reader.GetInt64(1)));
            }
            return found;
        }

        public async Task<(long Added, long Updated)> MergeAsync(long now, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM roster_import i WHERE EXISTS (SELECT 1 FROM roster r WHERE r.student_number = i.student_number)", connection, transaction);
            var updated = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            command.CommandText = """
                INSERT INTO roster (student_number, name, name_key, class_year, school, email, claimed_by, claimed_at, updated_at)
                SELECT student_number, name, name_key, class_year, school, email, NULL, NULL, $1 FROM roster_import
                ON CONFLICT (student_number) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, class_year = excluded.class_year,
                    school = excluded.school, email = excluded.email, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue(now);
            var written = await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (written - updated, updated);
        }

        public async ValueTask DisposeAsync()
        {
            if (copy is not null)
            {
                // Disposing an unfinished COPY cancels it.
                await copy.DisposeAsync();
            }
            await transaction.DisposeAsync();
        }
    }
}
