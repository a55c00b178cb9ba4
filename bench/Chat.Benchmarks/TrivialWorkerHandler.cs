using Chat.Domain.Workers;

namespace Chat.Benchmarks;

/// <summary>A handler that does no work, so a benchmark measures only the pool's dispatch cost.</summary>
internal sealed class TrivialWorkerHandler : IWorkerHandler<int, int>
{
    public Task<IReadOnlyList<int>> ProcessAsync(IReadOnlyList<int> batch, CancellationToken cancellationToken)
    {
        var results = new int[batch.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = batch[i] + 1;
        }

        return Task.FromResult<IReadOnlyList<int>>(results);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
