namespace Chat.Domain.Workers;

/// <summary>The non-generic view of a worker pool, so a host can list and inspect all pools.</summary>
public interface IWorkerPoolInfo
{
    string Name { get; }

    WorkerPoolSnapshot Snapshot();
}
