using System.Text;

namespace Events.Web.Tests.Content;

/// <summary>A content folder in the temp directory, deleted when the test ends.</summary>
internal sealed class TempContent : IDisposable
{
    public TempContent()
    {
        Root = Path.Combine(Path.GetTempPath(), "content-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The prefix problems use: the folder's own name.</summary>
    public string Label => Path.GetFileName(Root);

    public TempContent Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return this;
    }

    public TempContent Delete(string relativePath)
    {
        File.Delete(Path.Combine(Root, relativePath));
        return this;
    }

    /// <summary>A small tree that loads: two events, two sessions, two speakers, a company and two projects.</summary>
    public TempContent WriteValidTree()
    {
        Write("events/forum-a.md", """
            ---
            title: "Forum A"
            kind: forum
            starts: 2026-09-20T14:00:00+08:00
            ends: 2026-09-20T17:00:00+08:00
            summary: "A forum."
            location: "Hall 1"
            ---

            The **forum** body.
            """);
        Write("events/forum-a.zh.md", """
            ---
            title: "论坛 A"
            summary: "一个论坛。"
            location: "一号厅"
            ---

            论坛**正文**。
            """);
        Write("events/contest.md", """
            ---
            title: "Contest"
            kind: contest
            starts: 2026-09-01T09:00:00+08:00
            ends: 2026-12-12T18:00:00+08:00
            summary: "A contest."
            location: "Online"
            order: 2
            ---

            Contest body.
            """);
        Write("sessions/final.md", """
            ---
            event: contest
            title: "Final"
            starts: 2026-12-12T13:00:00+08:00
            ends: 2026-12-12T18:00:00+08:00
            summary: "The final."
            speakers:
              - ada-li
              - bo-wang
            stream: "https://video.example/final"
            ---

            Final body.
            """);
        Write("sessions/final.zh.md", """
            ---
            title: "总决赛"
            ---
            """);
        Write("sessions/forum-talk.md", """
            ---
            event: forum-a
            title: "Talk"
            starts: 2026-09-20T14:00:00+08:00
            ends: 2026-09-20T15:00:00+08:00
            summary: "A talk."
            speakers: [ada-li]
            ---
            """);
        Write("speakers/ada-li.md", """
            ---
            name: "Ada Li"
            role: "Engineer"
            affiliation: "Example Co"
            class_of: 2005
            degree: "B.Eng."
            ---

            Ada's bio.
            """);
        Write("speakers/ada-li.zh.md", """
            ---
            name: "李艾达"
            role: "工程师"
            affiliation: "示例公司"
            degree: "工学学士"
            ---

            艾达的简介。
            """);
        Write("speakers/bo-wang.md", """
            ---
            name: "Bo Wang"
            role: "Founder"
            affiliation: "Startup"
            class_of: 2010
            degree: "MBA"
            ---
            """);
        Write("companies/zeta-labs.md", """
            ---
            name: "Zeta Labs"
            industry: "Software"
            city: "Hefei"
            event: forum-a
            positions:
              - id: engineer
                title: "Engineer"
                degree: master
                majors: ["Computer science", "Mathematics"]
                salary_min: 12000
                salary_max: 20000
                currency: cny
                deadline: 2026-12-05
                requirements: "Go or Rust."
              - id: designer
                title: "Designer"
                city: "Shanghai"
            website: "https://zeta.example"
            ---
            """);
        Write("companies/zeta-labs.zh.md", """
            ---
            name: "泽塔实验室"
            positions:
              - id: engineer
                title: "工程师"
                majors: ["计算机科学", "数学"]
              - id: designer
                title: "设计师"
                city: "上海"
            ---
            """);
        Write("companies/alpha-works.md", """
            ---
            name: "Alpha Works"
            industry: "Hardware"
            city: "Suzhou"
            event: forum-a
            positions: []
            website: "https://alpha.example"
            ---
            """);
        Write("projects/silver-one.md", """
            ---
            title: "Silver One"
            team: "S"
            region: "Chengdu"
            event: contest
            award: silver
            track: "Hard tech"
            ---
            """);
        Write("projects/gold-two.md", """
            ---
            title: "Zzz Gold"
            team: "G"
            region: "Shanghai"
            event: contest
            award: gold
            track: "Healthcare"
            ---
            """);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A watcher test may still hold the folder for a moment; the temp folder is cleaned by the OS.
        }
    }
}
