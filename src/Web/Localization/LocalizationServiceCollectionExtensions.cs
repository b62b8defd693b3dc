using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Events.Web.Localization;

public static class LocalizationServiceCollectionExtensions
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>English and Simplified Chinese; the choice comes from the language cookie, else the browser's Accept-Language, else English.</summary>
    public static IServiceCollection AddUiLocalization(this IServiceCollection services)
    {
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(English);
            o.SupportedCultures = [English, Chinese];
            o.SupportedUICultures = [English, Chinese];
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new BrowserLanguageProvider()];
        });
        services.AddSingleton<UiText>();
        return services;
    }

    /// <summary>
    /// The browser's Accept-Language, read by the site's two languages: the most preferred entry that
    /// is any Chinese ("zh", "zh-CN", "zh-TW", "zh-Hans"...) gives Simplified Chinese, any English
    /// gives English, others are passed over; none of either gives the default, English. (ASP.NET
    /// Core's own provider matches cultures exactly, so a browser sending "zh" or "zh-TW" got English.)
    /// </summary>
    private sealed class BrowserLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var entries = httpContext.Request.GetTypedHeaders().AcceptLanguage;
            foreach (var entry in entries.Where(e => e.Quality is null or > 0).OrderByDescending(e => e.Quality ?? 1).Take(10))
            {
                var tag = entry.Value.Value ?? "";
                var language = tag.Split('-', 2)[0];
                if (language.Equals("zh", StringComparison.OrdinalIgnoreCase))
                {
                    return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(Chinese.Name));
                }
                if (language.Equals("en", StringComparison.OrdinalIgnoreCase))
                {
                    return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(English.Name));
                }
            }
            return NullProviderCultureResult;
        }
    }

    /// <summary>GET /lang/{culture}?returnUrl=/local/path: remembers the choice for a year and goes back.</summary>
    public static IEndpointRouteBuilder MapLanguageSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/lang/{culture}", (string culture, string? returnUrl, HttpContext context) =>
        {
            var chosen = culture.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? Chinese : English;
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, IsEssential = true, Secure = context.Request.IsHttps });
            // A tab or a line break in it (%09, %0D%0A) is not a local address either (it answered 500 before).
            var target = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") && !returnUrl.Any(char.IsControl) ? returnUrl : "/";
            return Results.LocalRedirect(target);
        }).ExcludeFromDescription();
        return app;
    }
}
