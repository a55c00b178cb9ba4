namespace Chat.Api.Node;

/// <summary>One tick of the node sampler: the backlog first, then the runtime, like the talk's BEAM stats.</summary>
public sealed record NodeSample(
    DateTimeOffset At,
    long TotalQueued,
    long LargestQueue,
    int NonEmptyQueues,
    double InboundPerSecond,
    double OutboundPerSecond,
    long Connections,
    long ThreadPoolQueueLength,
    int ThreadCount,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double GcPauseMillisecondsTotal,
    bool GateOpen);
