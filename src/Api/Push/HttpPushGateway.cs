using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Domain.Push;

namespace Chat.Api.Push;

/// <summary>
/// Posts a batch of wake-ups as JSON to Push:WebhookUrl. A 2xx answer may list tokens the provider reported dead
/// (<c>{"deadTokens": [...]}</c>); 408, 429 and 5xx (and no answer) are retried; any other status refuses the batch.
/// </summary>
public sealed class HttpPushGateway(HttpClient http, PushOptions options) : IPushGateway
{
    public const string ClientName = "push-gateway";

    public async Task<PushGatewayResult> SendAsync(IReadOnlyList<WakeUpNotification> batch, CancellationToken cancellationToken)
    {
        var body = new GatewayRequest(batch.Select(n => new GatewayNotification(n.Provider, n.Token, n.UserId, n.DeviceId, n.From, n.Pending)).ToList());
        try
        {
            using var response = await http.PostAsJsonAsync(options.WebhookUrl, body, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return PushGatewayResult.Ok(await DeadTokensOfAsync(response, cancellationToken));
            }

            var status = (int)response.StatusCode;
            return status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                ? PushGatewayResult.Transient
                : PushGatewayResult.Refused;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return PushGatewayResult.Transient;
        }
    }

    private static async Task<IReadOnlyList<string>> DeadTokensOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return [];
        }

        try
        {
            var answer = await response.Content.ReadFromJsonAsync<GatewayResponse>(cancellationToken);
            return answer?.DeadTokens ?? [];
        }
        catch (JsonException)
        {
            return []; // an answer without the list: nothing to remove
        }
    }

    private sealed record GatewayRequest(IReadOnlyList<GatewayNotification> Notifications);

    private sealed record GatewayNotification(string Provider, string Token, string UserId, int DeviceId, string From, long Pending);

    private sealed record GatewayResponse(IReadOnlyList<string>? DeadTokens);
}
