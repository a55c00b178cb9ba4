using System.Net;
using System.Net.Http.Json;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// Signing in as an unknown user does the same password hashing as a wrong password, so the time of a 401 does not
/// tell whether an id exists. Asserted by counting verifications, not by timing.
/// </summary>
public sealed class SignInTimingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Unknown_user_and_wrong_password_cost_one_password_verification_each()
    {
        var counting = new CountingHasher();
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton<IPasswordHasher<string>>(counting))));
        using var client = app.CreateClient();
        var known = Ids.User("known");
        using (var created = await client.PostAsJsonAsync("/api/accounts", new { userId = known, password = "correct horse battery" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var before = counting.Verifications;
        using var unknown = await client.PostAsJsonAsync("/api/tokens", new { userId = Ids.User("ghost"), password = "whatever password" });
        var afterUnknown = counting.Verifications;
        using var wrong = await client.PostAsJsonAsync("/api/tokens", new { userId = known, password = "wrong password!" });

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(1, afterUnknown - before);
        Assert.Equal(1, counting.Verifications - afterUnknown);
    }

    private sealed class CountingHasher : IPasswordHasher<string>
    {
        private readonly PasswordHasher<string> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(string user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(string user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
