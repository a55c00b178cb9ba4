using Chat.FaultTests.Cluster;

namespace Chat.FaultTests.Scenarios;

/// <summary>One cluster for every scenario, which run one after the other; each leaves every node running.</summary>
[CollectionDefinition(Name)]
public sealed class FaultClusterCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "fault cluster";
}
