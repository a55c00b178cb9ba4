using Chat.Domain.Identity;
using Chat.Domain.Partitioning;

namespace Chat.UnitTests.Identity;

public sealed class IdentityAndPartitioningTests
{
    [Theory]
    [InlineData("abc", true)]
    [InlineData("alice.smith_2-x", true)]
    [InlineData("ab", false)]
    [InlineData("Alice", false)]
    [InlineData("has space", false)]
    [InlineData("a:b", false)]
    [InlineData(null, false)]
    [InlineData("alice\n", false)]
    [InlineData("alice\r\n", false)]
    [InlineData("\nalice", false)]
    [InlineData("ali\0ce", false)]
    [InlineData("alice\u0085", false)]
    [InlineData("alice\u2028", false)]
    [InlineData("alice\t", false)]
    [InlineData("alicé", false)]
    public void IsValid_ChecksThePattern(string? value, bool expected) => Assert.Equal(expected, UserId.IsValid(value));

    [Fact]
    public void IsValid_RejectsIdsLongerThan64() =>
        Assert.False(UserId.IsValid(new string('a', 65)));

    [Fact]
    public void StableHash_IsTheSameInEveryProcess()
    {
        // Fixed values (XxHash32 of the UTF-8 bytes, seed 0), unlike string.GetHashCode, which is randomised per
        // process. Changing them remaps every key to another worker: a deliberate, documented change only.
        Assert.Equal(1966764669u, StableHash.Of("alice"));
        Assert.Equal(45867239u, StableHash.Of("bob"));
        Assert.Equal(StableHash.Of(new string('x', 300)), StableHash.Of(new string('x', 300)));
    }

    [Fact]
    public void Partition_SpreadsKeysOverAllPartitions()
    {
        var counts = new int[8];
        for (var i = 0; i < 8000; i++)
        {
            counts[StableHash.Partition($"user-{i}", 8)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }
}
