using System.Net;
using System.Text.RegularExpressions;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Chat.IntegrationTests.Web;

/// <summary>The built web client and dashboard are served from wwwroot without hiding any API route.</summary>
public sealed partial class WebClientHostingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Root_serves_the_chat_client_and_admin_the_dashboard()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var root = await client.GetAsync("/");
        using var admin = await client.GetAsync("/admin");
        using var dashboard = await client.GetAsync("/admin/");
        var rootHtml = await root.Content.ReadAsStringAsync();
        var script = ScriptSource().Match(rootHtml).Groups[1].Value;
        using var bundle = await client.GetAsync(script);

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Chat</title>", rootHtml, StringComparison.Ordinal);
        Assert.Equal("no-cache", root.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.MovedPermanently, admin.StatusCode);
        Assert.EndsWith("/admin/", admin.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains("Operator dashboard", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("/assets/", script, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Contains("immutable", bundle.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/contacts", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/admin/backlog", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/admin/nodes", HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/hubs/chat/negotiate?negotiateVersion=1", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/health/live", HttpStatusCode.OK)]
    [InlineData("GET", "/metrics", HttpStatusCode.OK)]
    [InlineData("GET", "/no-such-page", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/no-such-endpoint", HttpStatusCode.NotFound)]
    public async Task Routes_other_than_files_reach_their_endpoints(string method, string path, HttpStatusCode expected)
    {
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [GeneratedRegex("<script type=\"module\" crossorigin src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
