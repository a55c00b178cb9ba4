using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Messaging;
using Chat.Domain.Workers;
using Microsoft.Extensions.Time.Testing;

namespace Chat.UnitTests.Messaging;

/// <summary>What a send must carry, checked before anything is queued or stored.</summary>
public sealed class MailboxServiceValidationTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero));
    private readonly MessagingOptions _options = new() { MaxPayloadBytes = 12, MaxAge = TimeSpan.FromDays(2), MaxClientMessageIdLength = 8 };
    private readonly KeyedWorkerPool<MailboxOperation, MailboxResult> _pool;
    private readonly MailboxService _service;

    public MailboxServiceValidationTests()
    {
        _pool = new KeyedWorkerPool<MailboxOperation, MailboxResult>(new WorkerPoolOptions { Workers = 1 }, _ => new NeverCalled(), _time);
        _service = new MailboxService(new NoStore(), _pool, _options, new DeviceDirectory(new NoDevices(), _time), _time);
    }

    [Fact]
    public void ValidateSend_PayloadAtTheByteLimit_IsAccepted() =>
        Assert.Equal(_time.GetUtcNow() + _options.MaxAge, _service.ValidateSend("c1", "éééééé", null)); // 12 UTF-8 bytes

    [Fact]
    public void ValidateSend_PayloadOneByteOver_IsPayloadTooLarge()
    {
        var error = Assert.Throws<ChatException>(() => _service.ValidateSend("c1", "ééééééa", null));

        Assert.Equal(ChatErrorCode.PayloadTooLarge, error.Code);
        Assert.StartsWith("payload_too_large: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789")]
    public void ValidateSend_BadClientMessageId_IsInvalidRequest(string? clientMessageId) =>
        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.Throws<ChatException>(() => _service.ValidateSend(clientMessageId, "p", null)).Code);

    [Theory]
    [InlineData("c\0", "p")]
    [InlineData("c1", "p\0")]
    public void ValidateSend_Nul_IsInvalidRequest(string clientMessageId, string payload) =>
        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.Throws<ChatException>(() => _service.ValidateSend(clientMessageId, payload, null)).Code);

    [Fact]
    public void ValidateSend_UnpairedSurrogate_IsInvalidRequest()
    {
        var lone = ((char)0xD800).ToString();

        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.Throws<ChatException>(() => _service.ValidateSend("c1", "p" + lone, null)).Code);
        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.Throws<ChatException>(() => _service.ValidateSend(lone, "p", null)).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ValidateSend_TtlBelowOneSecond_IsInvalidRequest(int ttl) =>
        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.Throws<ChatException>(() => _service.ValidateSend("c1", "p", ttl)).Code);

    [Fact]
    public void ValidateSend_Ttl_SetsExpiryAndIsCappedAtMaxAge()
    {
        var now = _time.GetUtcNow();

        Assert.Equal(now.AddSeconds(60), _service.ValidateSend("c1", "p", 60));
        Assert.Equal(now + _options.MaxAge, _service.ValidateSend("c1", "p", 30 * 24 * 3600));
    }

    [Fact]
    public async Task SendAsync_ToAnInvalidUserId_FailsBeforeQueueing()
    {
        var error = await Assert.ThrowsAsync<ChatException>(() => _service.SendAsync("alice", 1, "c1", "Not Valid", "p", null, default));

        Assert.Equal(ChatErrorCode.InvalidRequest, error.Code);
        Assert.Equal(0, _pool.Snapshot().Enqueued);
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private sealed class NeverCalled : IWorkerHandler<MailboxOperation, MailboxResult>
    {
        public Task<IReadOnlyList<MailboxResult>> ProcessAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("validation must fail before anything is queued");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NoStore : IMailboxStore
    {
        public Task<IMailboxTransaction> BeginAsync(CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<PendingPage> FetchPendingAsync(string userId, int deviceId, long afterSeq, int limit, DateTimeOffset now, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<int> SweepExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<IReadOnlyList<PendingReceipt>> GetStaleReceiptsAsync(DateTimeOffset queuedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<long> CountPendingAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<MailboxStats> GetStatsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task PingAsync(CancellationToken cancellationToken) => throw new InvalidOperationException();
    }

    private sealed class NoDevices : IDeviceStore
    {
        public Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<IReadOnlyDictionary<string, int[]>> DeviceIdsOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<Device?> LinkAsync(string userId, string name, int maxLinked, DateTimeOffset now, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<bool> RenameAsync(string userId, int deviceId, string name, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<bool> UnlinkAsync(string userId, int deviceId, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task TouchAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<IReadOnlyList<(string UserId, int DeviceId)>> FindInactiveAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<bool> SetPushTokenAsync(string userId, int deviceId, string? provider, string? token, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task<PushRegistration?> GetPushTokenAsync(string userId, int deviceId, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public Task RemovePushTokenAsync(string userId, int deviceId, string token, CancellationToken cancellationToken) => throw new InvalidOperationException();
    }
}
