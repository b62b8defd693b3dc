using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Events.Web;

/// <summary>
/// What <c>/health</c> answers: the overall status, and each check's status and description
/// (<c>store</c>: the live store answers; <c>cluster</c>: this node's silo is an active member, and how
/// many are), as JSON. 200 while healthy, 503 otherwise.
/// </summary>
public static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
