using Chat.Api.Messaging;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Chat.IntegrationTests.Delivery;

/// <summary>Runs the host on a fake clock that starts now, so tokens stay valid while expiry is driven by Advance.</summary>
public sealed class ExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _factory = new ApiFactory { Settings = { ["Messaging:MaxAge"] = "1.00:00:00", ["Auth:TokenLifetime"] = "10.00:00:00" }, Time = _time };
        await _factory.InitializeAsync();
    }

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Messages_past_their_ttl_or_the_maximum_age_are_not_delivered_and_are_swept()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        var bobId = Ids.User("bob");
        await _factory.RegisterAsync(bobId);
        await alice.SendAsync(bobId, "short", ttlSeconds: 60);
        await alice.SendAsync(bobId, "default age");
        await alice.SendAsync(bobId, "ttl beyond max age", ttlSeconds: 7 * 24 * 3600);
        await using var bob = await _factory.ConnectAsync(bobId, register: false);

        _time.Advance(TimeSpan.FromMinutes(2));
        var afterTtl = await bob.DrainAsync();
        _time.Advance(TimeSpan.FromDays(1));
        var afterMaxAge = await bob.DrainAsync();
        await _factory.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(default);

        Assert.Equal(["default age", "ttl beyond max age"], afterTtl.Select(e => e.Payload));
        Assert.Empty(afterMaxAge);
        await using var connection = new NpgsqlConnection(_factory.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM envelopes WHERE user_id = @bobId", new { bobId }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM message_dedup WHERE user_id = @bobId", new { bobId }));
    }

    [Fact]
    public async Task Calls_on_a_connection_whose_token_has_expired_fail_with_forbidden()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));

        _time.Advance(TimeSpan.FromDays(11));

        Assert.Equal("forbidden", await ChatClient.ErrorCodeOf(() => alice.FetchAsync()));
    }
}
