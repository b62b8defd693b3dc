using System.Diagnostics;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (npm <c>oidc-provider</c>, <c>oidc/server.mjs</c>) on a loopback
/// port, standing in for the university's: its sign-in page takes the accounts the script lists
/// (alum, guest, linked, unconfirmed) with any password. The port is chosen before the platform
/// starts (the platform's settings name the issuer); the redirect address after (it names the
/// platform's port).
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "alumni-live";
    public const string ClientSecret = "sso-secret-1";

    private readonly Process process;

    private OidcProvider(Process process) => this.process = process;

    public static int ChoosePort() => FreePort.Next();

    public static string Issuer(int port) => $"http://127.0.0.1:{port}";

    /// <summary>The platform's settings for this provider.</summary>
    public static Dictionary<string, string?> Settings(int port) => new()
    {
        ["Sso:Authority"] = Issuer(port),
        ["Sso:ClientId"] = ClientId,
        ["Sso:ClientSecret"] = ClientSecret,
        ["Sso:RequireHttpsMetadata"] = "false",
        ["Sso:Scopes:0"] = "openid",
        ["Sso:Scopes:1"] = "email",
        ["Sso:Scopes:2"] = "profile",
        ["Sso:Scopes:3"] = "alumni",
        ["Sso:VerifiedClaim"] = "alumni_verified",
        ["Sso:StudentNumberClaim"] = "student_number",
        ["Sso:Name:En"] = "Chenghu University ID",
        ["Sso:Name:Zh"] = "澄湖大学统一身份认证",
    };

    public static async Task<OidcProvider> StartAsync(int port, Uri platform)
    {
        var (process, _) = await NodeServer.StartAsync(NodeServer.Script("oidc", "server.mjs"), "OpenID provider",
            port.ToString(), new Uri(platform, "/signin-sso").ToString(), ClientSecret, "300");
        return new OidcProvider(process);
    }

    public ValueTask DisposeAsync() => new(NodeServer.StopAsync(process));
}
