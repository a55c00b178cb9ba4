using Microsoft.Net.Http.Headers;

namespace Chat.Api.Web;

public static class WebClientExtensions
{
    /// <summary>
    /// Serves the built web client (/) and operator dashboard (/admin/) from wwwroot, before routing, so only
    /// paths that name a file are answered here: /api, /hubs, /health, /metrics and the /admin REST routes name
    /// none and go on to their endpoints. The files are built from web/ (see docs/ARCHITECTURE.md).
    /// </summary>
    public static WebApplication UseChatWebClient(this WebApplication app)
    {
        app.UseDefaultFiles(); // "/" → index.html; "/admin" is redirected to "/admin/" → admin/index.html
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                // Bundles carry a content hash in their names; the pages must be checked on every load.
                var immutable = context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal);
                context.Context.Response.Headers[HeaderNames.CacheControl] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
            },
        });
        return app;
    }
}
