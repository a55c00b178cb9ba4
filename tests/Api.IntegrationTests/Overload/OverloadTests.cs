using System.Collections.Concurrent;
using System.Net;
using Chat.Domain.Overload;
using Chat.Domain.Workers;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.IntegrationTests.Overload;

/// <summary>
/// The store is made slow for real (a trigger that sleeps in every envelope insert) while clients send faster
/// than it can drain: queues must stay bounded, the excess must be refused as overloaded, the login gate must
/// close and reopen, and every send that was acknowledged must be delivered exactly once.
/// </summary>
public sealed class OverloadTests : IAsyncLifetime
{
    private const int Workers = 2;
    private const int QueueCapacity = 4;

    private readonly ApiFactory _factory = new()
    {
        Settings =
        {
            ["WorkerPools:Mailbox:Workers"] = Workers.ToString(),
            ["WorkerPools:Mailbox:QueueCapacity"] = QueueCapacity.ToString(),
            ["WorkerPools:Mailbox:MaxBatchSize"] = "1",
            ["LoginGate:CloseAboveBacklog"] = "3",
            ["LoginGate:CloseAfter"] = "00:00:00.200",
            ["LoginGate:ReopenBelowBacklog"] = "1",
            ["LoginGate:RetryAfter"] = "00:00:01",
            ["NodeSampler:Interval"] = "00:00:00.050",
        },
    };

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Slow_store_sheds_excess_closes_and_reopens_the_gate_and_loses_nothing_acknowledged()
    {
        var recipients = Enumerable.Range(0, 4).Select(i => Ids.User($"rcpt{i}")).ToArray();
        foreach (var recipient in recipients)
        {
            await _factory.RegisterAsync(recipient);
        }

        var senders = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => _factory.ConnectAsync(Ids.User($"sender{i}"))));
        var pool = _factory.Services.GetRequiredService<WorkerPoolMetrics>().Pools.Single(p => p.Name == "mailbox");
        var gate = _factory.Services.GetRequiredService<LoginGate>();
        await SlowDownStoreAsync(TimeSpan.FromMilliseconds(100));

        var acknowledged = new ConcurrentBag<Guid>();
        var overloaded = 0;
        var otherErrors = new ConcurrentBag<string>();
        var maxQueued = 0;
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var snapshot = pool.Snapshot();
                InterlockedMax(ref maxQueued, snapshot.MaxQueueLength);
                await Task.Delay(5); // sampling rate of the measurement, not synchronisation
            }
        });
        var gateClosed = gate.WaitForAsync(open: false, stop.Token);
        var load = senders.Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 200 && !gateClosed.IsCompleted; i += 4)
            {
                await Task.WhenAll(Enumerable.Range(i, 4).Select(async n =>
                {
                    try
                    {
                        acknowledged.Add((await sender.SendAsync(recipients[n % recipients.Length], $"{sender.UserId}:{n}")).MessageId);
                    }
                    catch (HubException e) when (e.Message.Contains("overloaded:", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref overloaded);
                    }
                    catch (HubException e)
                    {
                        otherErrors.Add(e.Message);
                    }
                }));
            }
        })).ToArray();

        await gateClosed.OrTimeout(TimeSpan.FromSeconds(60));
        var refusedWhileClosed = await Assert.ThrowsAsync<HttpRequestException>(() => _factory.ConnectAsync(Ids.User("late")));
        await Task.WhenAll(load).OrTimeout(TimeSpan.FromSeconds(60));
        await SlowDownStoreAsync(null);
        await gate.WaitForAsync(open: true, CancellationToken.None).OrTimeout(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await watcher;

        Assert.Empty(otherErrors);
        Assert.True(overloaded > 0, "nothing was refused: the queues were not bounded");
        Assert.InRange(maxQueued, 1, QueueCapacity);
        Assert.True(pool.Snapshot().DiscardedFull >= overloaded);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedWhileClosed.StatusCode);
        var delivered = new List<Guid>();
        foreach (var recipient in recipients)
        {
            await using var client = await _factory.ConnectAsync(recipient, register: false);
            delivered.AddRange((await client.DrainAsync(pageSize: 500)).Select(e => e.MessageId));
        }

        Assert.Equal(acknowledged.Count, delivered.Count);
        Assert.Equal(acknowledged.OrderBy(g => g), delivered.OrderBy(g => g));
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    private async Task SlowDownStoreAsync(TimeSpan? delay)
    {
        await using var connection = new NpgsqlConnection(_factory.ConnectionString);
        await connection.ExecuteAsync(delay is { } d
            ? $"""
              CREATE OR REPLACE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN PERFORM pg_sleep({d.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}); RETURN NEW; END $$;
              CREATE TRIGGER slow_insert BEFORE INSERT ON envelopes FOR EACH ROW EXECUTE FUNCTION slow_insert();
              """
            : "DROP TRIGGER slow_insert ON envelopes;");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
