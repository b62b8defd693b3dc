using System.Text.RegularExpressions;

namespace Events.Web.Content;

/// <summary>
/// Reads a content folder into a <see cref="ContentCatalog"/>. Every file is read and every problem
/// recorded before anything is thrown, so one <see cref="ContentException"/> lists all of them.
/// </summary>
internal static partial class ContentLoader
{
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    private static readonly Dictionary<string, EventKind> Kinds = new(StringComparer.Ordinal)
    {
        ["forum"] = EventKind.Forum,
        ["jobfair"] = EventKind.JobFair,
        ["contest"] = EventKind.Contest,
    };

    private static readonly Dictionary<string, string> Awards =
        ContentCatalog.AwardOrder.ToDictionary(award => award, award => award, StringComparer.Ordinal);

    public static ContentCatalog Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new ContentException($"{directory}: the content folder does not exist");
        }

        // Paths in problems start with the folder's own name ("content/events/x.md"), as an author
        // browsing the repository sees them.
        var label = new DirectoryInfo(root).Name;
        var problems = new List<string>();

        // Listed before any file is parsed, so a reference to an item whose file is broken is not
        // reported a second time as dangling.
        var eventFiles = List(root, label, ContentSchema.Events, problems);
        var sessionFiles = List(root, label, ContentSchema.Sessions, problems);
        var speakerFiles = List(root, label, ContentSchema.Speakers, problems);
        var companyFiles = List(root, label, ContentSchema.Companies, problems);
        var projectFiles = List(root, label, ContentSchema.Projects, problems);
        var eventSlugs = eventFiles.Select(f => f.Slug).ToHashSet(StringComparer.Ordinal);
        var speakerSlugs = speakerFiles.Select(f => f.Slug).ToHashSet(StringComparer.Ordinal);

        var sessionSlugs = sessionFiles.Select(f => f.Slug).ToHashSet(StringComparer.Ordinal);
        var events = Build(eventFiles, ContentSchema.Events, problems, r => ReadEvent(r, sessionSlugs));
        // Projects are read before sessions (a session's running order names them), but their problems
        // are reported in folder order, after the companies', as they were before sessions named projects.
        var projectProblems = new List<string>();
        var projects = Build(projectFiles, ContentSchema.Projects, projectProblems, r => ReadProject(r, eventSlugs, root));
        // A project whose file is broken is known by its slug (its event unknown), so a session
        // naming it is not reported a second time.
        var projectEvents = projectFiles.ToDictionary(f => f.Slug, string? (_) => null, StringComparer.Ordinal);
        foreach (var p in projects)
        {
            projectEvents[p.Slug] = p.EventSlug;
        }
        var sessions = Build(sessionFiles, ContentSchema.Sessions, problems, r => ReadSession(r, eventSlugs, speakerSlugs, projectEvents));
        var speakers = Build(speakerFiles, ContentSchema.Speakers, problems, ReadSpeaker);
        var companies = Build(companyFiles, ContentSchema.Companies, problems, r => ReadCompany(r, eventSlugs));
        problems.AddRange(projectProblems);
        CheckFinals(label, events, sessions, problems);
        CheckBoothTalks(label, sessions, companies, problems);

        if (problems.Count > 0)
        {
            throw new ContentException(problems);
        }

        return new ContentCatalog(events, sessions, speakers, companies, projects);
    }

    private static EventItem ReadEvent(FieldReader r, HashSet<string> sessions)
    {
        var item = new EventItem(
            r.Slug,
            r.OneOf("kind", Kinds),
            r.Localized("title"),
            r.Localized("summary"),
            r.Localized("location"),
            r.Date("starts"),
            r.Date("ends"),
            r.Int("order", fallback: 0),
            r.Body(),
            ReadJudging(r, sessions));
        CheckTimes(r, item.Starts, item.Ends);
        if (item.Judging is not null && item.Kind != EventKind.Contest)
        {
            r.Problem("has criteria, but only a contest (kind: contest) is judged");
        }
        return item;
    }

    /// <summary>A contest's judging keys (docs/contest.md), or null when the event has no <c>criteria</c>.</summary>
    private static ContestJudging? ReadJudging(FieldReader r, HashSet<string> sessions)
    {
        var names = r.OptionalLocalizedList("criteria");
        if (names.En.Count == 0)
        {
            foreach (var key in new[] { "criteria_weights", "max_score", "audience_weight", "final", "reveal_places" }.Where(r.Has))
            {
                r.Problem($"'{key}' needs 'criteria'");
            }
            return null;
        }
        var weightTexts = r.OptionalList("criteria_weights");
        var weights = weightTexts.Select(w => int.TryParse(w, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1).ToArray();
        if (weights.Length != names.En.Count)
        {
            r.Problem($"'criteria_weights' must give one weight per criterion ({names.En.Count}), not {weights.Length}");
        }
        else if (weights.Any(w => w <= 0) || weights.Sum() != 100)
        {
            r.Problem($"'criteria_weights' must be whole numbers above 0 that add up to 100: {string.Join(", ", weightTexts)}");
        }
        var ids = names.En.Select(ContestJudging.IdOf).ToArray();
        foreach (var twice in ids.GroupBy(i => i).Where(g => g.Count() > 1 || g.Key.Length == 0))
        {
            r.Problem($"criteria must have distinct names of letters or digits: '{twice.Key}'");
        }
        var max = r.Int("max_score", fallback: 10);
        if (max is < 1 or > 100)
        {
            r.Problem($"'max_score' must be from 1 to 100, not {max}");
        }
        var audience = r.Int("audience_weight", fallback: 0);
        if (audience is < 0 or > 100)
        {
            r.Problem($"'audience_weight' must be from 0 to 100 (percent), not {audience}");
        }
        var places = r.Int("reveal_places", fallback: 3);
        if (places is < 1 or > 20)
        {
            r.Problem($"'reveal_places' must be from 1 to 20, not {places}");
        }
        var final = r.Text("final");
        if (final.Length > 0 && !sessions.Contains(final))
        {
            r.Problem($"final session '{final}' does not exist");
        }
        var criteria = ids.Zip(weights.Length == ids.Length ? weights : new int[ids.Length], (id, w) => new Silo.Contests.Criterion(id, w)).ToArray();
        return new ContestJudging(names, criteria, max, audience, final, places);
    }

    /// <summary>A judged contest's final is one of its own sessions, with a running order to rank.</summary>
    private static void CheckFinals(string label, List<EventItem> events, List<SessionItem> sessions, List<string> problems)
    {
        foreach (var e in events.Where(e => e.Judging is not null))
        {
            var final = sessions.FirstOrDefault(s => s.Slug == e.Judging!.FinalSession);
            if (final is null)
            {
                continue;
            }
            if (final.EventSlug != e.Slug)
            {
                problems.Add($"{label}/events/{e.Slug}.md: final session '{final.Slug}' belongs to event '{final.EventSlug}'");
            }
            else if (final.RunningOrder.Count < 2)
            {
                problems.Add($"{label}/events/{e.Slug}.md: final session '{final.Slug}' must list at least two projects (its 'projects:') to be ranked");
            }
        }
    }

    /// <summary>A booth talk (a session with <c>booth:</c>) is held at a booth of its own event's fair.</summary>
    private static void CheckBoothTalks(string label, List<SessionItem> sessions, List<CompanyItem> companies, List<string> problems)
    {
        foreach (var talk in sessions.Where(s => s.Booth is not null))
        {
            var company = companies.FirstOrDefault(c => c.Slug == talk.Booth);
            if (company is null)
            {
                problems.Add($"{label}/sessions/{talk.Slug}.md: booth '{talk.Booth}' is not a company of the content");
            }
            else if (company.EventSlug != talk.EventSlug)
            {
                problems.Add($"{label}/sessions/{talk.Slug}.md: booth '{talk.Booth}' is at the fair '{company.EventSlug}', not at this session's event '{talk.EventSlug}'");
            }
        }
    }

    private static SessionItem ReadSession(FieldReader r, HashSet<string> events, HashSet<string> speakers, Dictionary<string, string?> projects)
    {
        if (r.Slug.StartsWith(Fair.BoothSessions.Prefix, StringComparison.Ordinal))
        {
            r.Problem($"a session's file name may not start with '{Fair.BoothSessions.Prefix}': those are the job fair booths' sessions");
        }
        var item = new SessionItem(
            r.Slug,
            r.Text("event"),
            r.Localized("title"),
            r.Localized("summary"),
            r.Date("starts"),
            r.Date("ends"),
            r.List("speakers"),
            r.Url("stream", required: false, "http", "https"),
            r.Body(),
            r.OptionalLocalizedList("tags"),
            r.OptionalList("projects"),
            r.OptionalLocalized("city"),
            r.OptionalText("booth"));
        CheckTimes(r, item.Starts, item.Ends);
        CheckEvent(r, item.EventSlug, events);
        foreach (var project in item.RunningOrder)
        {
            if (!projects.TryGetValue(project, out var eventOf))
            {
                r.Problem($"project '{project}' does not exist");
            }
            else if (eventOf is not null && eventOf != item.EventSlug)
            {
                r.Problem($"project '{project}' belongs to event '{eventOf}', not to this session's event '{item.EventSlug}'");
            }
        }
        foreach (var twice in item.RunningOrder.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            r.Problem($"project '{twice.Key}' is listed twice");
        }
        if (item.RunningOrder.Count > 20)
        {
            r.Problem($"lists {item.RunningOrder.Count} projects; a session's audience vote takes at most 20");
        }
        foreach (var speaker in item.Speakers.Where(s => !speakers.Contains(s)))
        {
            r.Problem($"speaker '{speaker}' does not exist");
        }

        foreach (var twice in item.Speakers.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            r.Problem($"speaker '{twice.Key}' is listed twice");
        }

        return item;
    }

    private static SpeakerItem ReadSpeaker(FieldReader r) => new(
        r.Slug,
        r.Localized("name"),
        r.Localized("role"),
        r.Localized("affiliation"),
        r.Int("class_of"),
        r.Localized("degree"),
        r.Body());

    private static CompanyItem ReadCompany(FieldReader r, HashSet<string> events)
    {
        var city = r.Localized("city");
        var item = new CompanyItem(
            r.Slug,
            r.Text("event"),
            r.Localized("name"),
            r.Localized("industry"),
            city,
            ReadPositions(r, city),
            r.Url("website", required: true, "https") ?? "",
            r.Body());
        CheckEvent(r, item.EventSlug, events);
        return item;
    }

    private static readonly Dictionary<string, Degree> Degrees = new(StringComparer.Ordinal)
    {
        ["any"] = Degree.Any,
        ["bachelor"] = Degree.Bachelor,
        ["master"] = Degree.Master,
        ["doctorate"] = Degree.Doctorate,
    };

    private static readonly string[] PositionKeys = ["title", "city", "degree", "majors", "salary_min", "salary_max", "currency", "deadline", "requirements"];
    private static readonly string[] TranslatedPositionKeys = ["title", "city", "majors", "requirements"];

    /// <summary>A company's open positions (docs/content.md): each an entry with its own id, translated by id in the .zh.md.</summary>
    private static List<PositionItem> ReadPositions(FieldReader company, Localized companyCity)
    {
        var positions = new List<PositionItem>();
        foreach (var r in company.Entries("positions", PositionKeys, TranslatedPositionKeys))
        {
            var min = r.OptionalInt("salary_min", 0);
            var max = r.OptionalInt("salary_max", 0);
            var currency = r.OptionalText("currency") ?? "";
            if ((min is null) != (max is null))
            {
                r.Problem("'salary_min' and 'salary_max' go together: give both or neither");
            }
            else if (min > max)
            {
                r.Problem($"'salary_min' ({min}) is above 'salary_max' ({max})");
            }
            if (min is not null && currency.Length != 3)
            {
                r.Problem($"a salary needs a 'currency' of three letters (CNY, SGD...): '{currency}'");
            }
            positions.Add(new PositionItem(
                r.EntryId,
                r.Localized("title"),
                r.OptionalLocalized("city") ?? companyCity,
                r.Has("degree") ? r.OneOf("degree", Degrees) : Degree.Any,
                r.OptionalLocalizedList("majors"),
                min,
                max,
                currency.ToUpperInvariant(),
                r.OptionalDay("deadline"),
                r.OptionalLocalized("requirements") ?? new Localized("", "")));
        }
        return positions;
    }

    /// <summary>The picture types a project's <c>image</c> may be.</summary>
    public static readonly string[] ImageTypes = [".jpg", ".jpeg", ".png", ".webp", ".svg"];

    private static ProjectItem ReadProject(FieldReader r, HashSet<string> events, string root)
    {
        string? image = null;
        if (r.OptionalText("image") is { } file)
        {
            if (!SlugPattern().IsMatch(Path.GetFileNameWithoutExtension(file)) || !ImageTypes.Contains(Path.GetExtension(file), StringComparer.Ordinal) || Path.GetFileName(file) != file)
            {
                r.Problem($"'image' must be a file name of the images folder ending in {string.Join(", ", ImageTypes)} (lower case, like photon-needle.png), not '{file}'");
            }
            else if (!File.Exists(Path.Combine(root, ContentImages.Folder, file)))
            {
                r.Problem($"image '{file}' is not in the {ContentImages.Folder}/ folder");
            }
            else
            {
                image = ContentImages.RequestPath + "/" + file;
            }
        }
        var item = new ProjectItem(
            r.Slug,
            r.Text("event"),
            r.Localized("title"),
            r.Localized("team"),
            r.Localized("region"),
            r.OneOf("award", Awards),
            r.Localized("track"),
            r.Body(),
            r.OptionalLocalized("school"),
            r.Url("video", required: false, "https"),
            r.OptionalLocalizedList("investors"),
            r.OptionalLocalizedList("prizes"),
            image);
        CheckEvent(r, item.EventSlug, events);
        return item;
    }

    private static void CheckTimes(FieldReader r, DateTimeOffset starts, DateTimeOffset ends)
    {
        // Unset (default) means the date itself was already reported.
        if (starts != default && ends != default && ends < starts)
        {
            r.Problem("ends before it starts");
        }
    }

    private static void CheckEvent(FieldReader r, string eventSlug, HashSet<string> events)
    {
        if (eventSlug.Length > 0 && !events.Contains(eventSlug))
        {
            r.Problem($"event '{eventSlug}' does not exist");
        }
    }

    private static List<T> Build<T>(List<ItemFiles> files, ContentSchema schema, List<string> problems, Func<FieldReader, T> read)
    {
        var items = new List<T>();
        foreach (var item in files)
        {
            var en = ContentFile.Read(item.EnPath, item.EnDisplay, item.Slug, problems);
            var zh = item.ZhPath is null ? null : ContentFile.Read(item.ZhPath, item.ZhDisplay!, item.Slug, problems);
            if (en is null)
            {
                continue;
            }

            // Keep reading after a bad key or an unreadable .zh.md: the author gets every problem of
            // the file at once. The item itself is dropped, since the load will fail anyway.
            var ok = item.ZhPath is null || zh is not null;
            ok &= schema.CheckKeys(en, chinese: false, problems);
            ok &= zh is null || schema.CheckKeys(zh, chinese: true, problems);
            var reader = new FieldReader(en, zh, problems);
            var value = read(reader);
            if (ok && !reader.Failed)
            {
                items.Add(value);
            }
        }

        return items;
    }

    /// <summary>Pairs each English file with its Chinese sibling; a missing folder is an empty one.</summary>
    private static List<ItemFiles> List(string root, string label, ContentSchema schema, List<string> problems)
    {
        var folder = Path.Combine(root, schema.Folder);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        string[] names;
        try
        {
            names = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{label}/{schema.Folder}: could not be listed: {e.Message}");
            return [];
        }

        // Ordinal order keeps the problem list identical on every machine.
        Array.Sort(names, StringComparer.Ordinal);
        var english = new Dictionary<string, string>(StringComparer.Ordinal);
        var chinese = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // Hidden files are editor and OS litter (.DS_Store, ._x.md), never content.
            if (name.StartsWith('.') || !name.EndsWith(".md", StringComparison.Ordinal))
            {
                continue;
            }

            var isChinese = name.EndsWith(".zh.md", StringComparison.Ordinal);
            var slug = name[..^(isChinese ? ".zh.md".Length : ".md".Length)];
            if (!SlugPattern().IsMatch(slug))
            {
                problems.Add($"{label}/{schema.Folder}/{name}: '{slug}' is not a valid slug (lower-case letters and digits, separated by single hyphens)");
                continue;
            }

            (isChinese ? chinese : english)[slug] = name;
        }

        foreach (var (slug, name) in chinese.Where(kv => !english.ContainsKey(kv.Key)))
        {
            problems.Add($"{label}/{schema.Folder}/{name}: has no English file '{slug}.md' next to it");
        }

        return english
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv =>
            {
                var zhName = chinese.GetValueOrDefault(kv.Key);
                return new ItemFiles(
                    kv.Key,
                    Path.Combine(folder, kv.Value),
                    $"{label}/{schema.Folder}/{kv.Value}",
                    zhName is null ? null : Path.Combine(folder, zhName),
                    zhName is null ? null : $"{label}/{schema.Folder}/{zhName}");
            })
            .ToList();
    }

    private sealed record ItemFiles(string Slug, string EnPath, string EnDisplay, string? ZhPath, string? ZhDisplay);
}
