using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Accounts;

/// <summary>
/// A validated token leaves behind only the claims the server reads, because a hub connection keeps its principal for
/// as long as it is open (docs/BENCHMARKS.md, idle connections).
/// </summary>
public sealed class SessionPrincipalTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_primary_device_keeps_its_user_and_expiry_only()
    {
        var userId = Ids.User("slim");
        await factory.RegisterAsync(userId);

        var principal = await AuthenticateAsync(await factory.TokenAsync(userId));

        Assert.Equal(["exp", "sub"], principal.Claims.Select(c => c.Type).Order(StringComparer.Ordinal));
        Assert.Equal(userId, principal.Identity!.Name);
        Assert.True(principal.Identity.IsAuthenticated);
        Assert.True(long.Parse(principal.FindFirst("exp")!.Value, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_linked_device_keeps_its_device_and_an_admin_keeps_the_role()
    {
        var userId = Ids.User("slimdev");
        await factory.RegisterAsync(userId);
        var (deviceToken, deviceId) = await factory.SignInDeviceAsync(userId, deviceName: "tablet");
        await factory.RegisterAsync("root-admin");

        var device = await AuthenticateAsync(deviceToken);
        var admin = await AuthenticateAsync(await factory.TokenAsync("root-admin"));

        Assert.Equal(["did", "exp", "sub"], device.Claims.Select(c => c.Type).Order(StringComparer.Ordinal));
        Assert.Equal(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture), device.FindFirst("did")!.Value);
        Assert.True(admin.IsInRole("admin"));
        Assert.False(device.IsInRole("admin"));
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> AuthenticateAsync(string token)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + token;
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        Assert.True(result.Succeeded, result.Failure?.Message);
        return result.Principal!;
    }
}
