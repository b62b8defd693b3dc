namespace Events.Web.Accounts.Sso;

/// <summary>
/// Single sign-on through the university's OpenID Connect provider (configuration section "Sso").
/// Off unless <see cref="Authority"/> is set. Unknown keys stop the start, like the other sections.
/// </summary>
public sealed class SsoSettings
{
    /// <summary>The provider's issuer, e.g. https://id.chenghu.edu.cn (its /.well-known/openid-configuration is read).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The provider's name on the sign-in button, in each language.</summary>
    public SsoName Name { get; set; } = new();

    /// <summary>Scopes asked for; openid, email and profile when none are set.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>A claim of the provider whose value "true" says the person is a verified alumnus; unset: the provider's word is not taken.</summary>
    public string? VerifiedClaim { get; set; }

    /// <summary>A claim holding the person's student number, to claim their roster row when the provider verifies them.</summary>
    public string? StudentNumberClaim { get; set; }

    /// <summary>Only for a provider on this machine's loopback in tests: metadata over plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IReadOnlyList<string> EffectiveScopes => Scopes is { Length: > 0 } scopes ? scopes : ["openid", "email", "profile"];

    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"Configuration 'Sso:Authority' must be an absolute https URL; '{Authority}' is not.");
        }
        if (authority.Scheme == "http" && RequireHttpsMetadata)
        {
            throw new InvalidOperationException("Configuration 'Sso:Authority' is plain http: use https, or set 'Sso:RequireHttpsMetadata' to false for a provider on loopback.");
        }
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new InvalidOperationException("Configuration 'Sso:ClientId' is required with 'Sso:Authority'.");
        }
        if (!EffectiveScopes.Contains("openid") || !EffectiveScopes.Contains("email"))
        {
            throw new InvalidOperationException("Configuration 'Sso:Scopes' must include openid and email: accounts link by verified email.");
        }
    }
}

public sealed class SsoName
{
    public string En { get; set; } = "the university";

    public string Zh { get; set; } = "学校统一身份认证";
}
