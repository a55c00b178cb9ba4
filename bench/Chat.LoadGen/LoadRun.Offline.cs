using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadGen;

/// <summary>
/// --mode offline: the store-and-forward case. Senders send to recipients that are not connected (the store rate),
/// then the recipients connect and drain their mailboxes with FetchPending and Ack as a reconnecting client does
/// (the drain rate). Each recipient must get exactly its messages, in the order they were acknowledged.
/// </summary>
public sealed partial class LoadRun
{
    public async Task<string> RunOfflineAsync(CancellationToken cancellationToken)
    {
        var senders = options.Senders;
        if (senders * 2 > options.Users)
        {
            throw new LoadGenException("offline mode needs --users >= 2 x --senders (each sender has its own recipient).");
        }

        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(100) };
        for (var i = 0; i < senders * 2; i++)
        {
            _clients.Add(new VirtualClient(i, $"lg-{options.RunId}-{i}", _stats, options));
        }

        try
        {
            await CheckReadyAsync(http, cancellationToken);
            var tokens = await SignUpAllAsync(http, cancellationToken);
            var senderClients = _clients.Take(senders).ToList();
            var recipientClients = _clients.Skip(senders).ToList();
            await ConnectAsync(senderClients, tokens, cancellationToken);
            var baseline = await DrainAsync(recipientClients, tokens, connect: true, null, cancellationToken); // empties leftovers of earlier runs
            await Parallel.ForEachAsync(recipientClients, cancellationToken, async (c, _) => await c.DisposeAsync());
            recipientClients = _clients.Skip(senders).Select(c => new VirtualClient(c.Index, c.UserId, new RunStats(), options)).ToList();

            Log($"storing: {senders} senders x {options.PerSender} messages to recipients that are offline");
            var expected = new Guid[senders][];
            var store = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                Enumerable.Range(0, senders),
                new ParallelOptions { MaxDegreeOfParallelism = senders, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    // All of a sender's messages in flight at once; the server answers them in order.
                    var calls = Enumerable.Range(0, options.PerSender)
                        .Select(n => senderClients[i].Connection.InvokeAsync<SendMessageResponse>(
                            HubMethods.SendMessage,
                            new SendMessageRequest { ClientMessageId = Guid.NewGuid().ToString("N"), To = recipientClients[i].UserId, Payload = Payloads.Create(Stopwatch.GetTimestamp(), options.PayloadBytes) },
                            token))
                        .ToList();
                    expected[i] = (await Task.WhenAll(calls)).Select(r => r.MessageId).ToArray();
                });
            var storeSeconds = store.Elapsed.TotalSeconds;
            var total = senders * options.PerSender;
            Log($"stored {total} messages in {storeSeconds:0.00} s; connecting {senders} recipients");

            await ConnectAsync(recipientClients, tokens.Skip(senders).ToArray(), cancellationToken);
            var drain = Stopwatch.StartNew();
            var received = await DrainAsync(recipientClients, tokens, connect: false, expected, cancellationToken);
            var drainSeconds = drain.Elapsed.TotalSeconds;
            await Parallel.ForEachAsync(recipientClients, cancellationToken, async (c, _) => await c.DisposeAsync());

            var wrong = received.Count(r => r is not null);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"""
                == Chat.LoadGen offline summary (run {options.RunId}) ==
                config      {options.Url}  senders {senders}  recipients {senders}  messages per sender {options.PerSender}  payload {options.PayloadBytes} B  {options.Protocol}
                store       {total} messages in {storeSeconds:0.00} s: {total / storeSeconds:0} msgs/s (every send answered, i.e. committed)
                drain       {total} messages in {drainSeconds:0.00} s: {total / drainSeconds:0} msgs/s (all recipients at once, FetchPending pages of 500 and one Ack each; {baseline.Count(r => r is not null)} leftovers cleared first)
                check       {senders - wrong} of {senders} recipients got exactly their messages in seq order{(wrong == 0 ? "" : "; first problem: " + received.First(r => r is not null))}
                verdict     {(wrong == 0 ? "PASS" : "FAIL")}
                """);
        }
        finally
        {
            await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        }
    }

    private async Task ConnectAsync(List<VirtualClient> clients, string[] tokens, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(
            Enumerable.Range(0, clients.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = cancellationToken },
            async (i, token) => await clients[i].ConnectAsync(tokens[i], token));

    /// <summary>Pages through each recipient's mailbox and acks it; with <paramref name="expected"/>, returns a problem per recipient (null when right).</summary>
    private async Task<string?[]> DrainAsync(List<VirtualClient> recipients, string[] tokens, bool connect, Guid[][]? expected, CancellationToken cancellationToken)
    {
        var problems = new string?[recipients.Count];
        var offset = _clients.Count - recipients.Count;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, recipients.Count),
            // The measured drain runs every recipient at once, as users who all come back online do; clearing
            // leftovers also connects, so it keeps to the setup's parallelism.
            new ParallelOptions { MaxDegreeOfParallelism = connect ? Math.Max(64, options.SetupParallelism * 4) : recipients.Count, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var client = recipients[i];
                if (connect)
                {
                    await client.ConnectAsync(tokens[offset + i], token);
                }

                var messages = new List<Guid>();
                long after = 0;
                var ordered = true;
                while (true)
                {
                    var page = await client.Connection.InvokeAsync<FetchPendingResponse>(HubMethods.FetchPending, new FetchPendingRequest { AfterSeq = after, Limit = 500 }, token);
                    foreach (var envelope in page.Envelopes)
                    {
                        ordered &= envelope.Seq > after;
                        after = envelope.Seq;
                        if (envelope.Kind == "message")
                        {
                            messages.Add(envelope.MessageId);
                        }
                    }

                    if (!page.HasMore)
                    {
                        break;
                    }
                }

                if (after > 0)
                {
                    await client.Connection.InvokeAsync<int>(HubMethods.Ack, new AckRequest { UpToSeq = after }, token);
                }

                if (expected is null)
                {
                    problems[i] = messages.Count > 0 ? "leftover" : null;
                }
                else if (!ordered || !messages.SequenceEqual(expected[i]))
                {
                    problems[i] = string.Create(CultureInfo.InvariantCulture, $"{client.UserId}: {messages.Count} messages, expected {expected[i].Length}{(ordered ? "" : ", seqs out of order")}");
                }
            });
        return problems;
    }
}
